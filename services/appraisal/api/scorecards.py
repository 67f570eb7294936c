"""Scorecard routes. KPIs arrive with the appraisal issue; until then a card is empty but well-formed."""
import re
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from shared.auth import CurrentUser
from shared.clock import business_today
from shared.errors import Problem

router = APIRouter(tags=["appraisal"])
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class Kpi(BaseModel):
    code: str
    name: str
    raw_value: Decimal | None
    target: Decimal | None
    score: Decimal | None
    weight: Decimal


class Scorecard(BaseModel):
    username: str
    period: str
    status: str          # provisional until the period is closed
    kpis: list[Kpi]
    total: Decimal | None
    grade: str | None


@router.get("/appraisal/scorecards/{username}", response_model=Scorecard)
async def scorecard(username: str, user: CurrentUser,
                    period: Annotated[str | None, Query(pattern=PERIOD.pattern, description="YYYY-MM")] = None):
    # An RM reads only their own card; appraisal learns teams and units with the appraisal issue.
    if user.roles == ("rm",) and username != user.username:
        raise Problem(404, "not_found")
    return Scorecard(username=username, period=period or business_today().strftime("%Y-%m"), status="provisional",
                     kpis=[], total=None, grade=None)

"""Call-back route: record an independent call-back's result (回访) for a customer in scope."""
import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from services.customer.api.deps import AUDITED, in_scope
from services.customer.service.callbacks import record_callback
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow

router = APIRouter(tags=["callbacks"], dependencies=AUDITED)


class CallbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: uuid.UUID
    reached: bool
    satisfaction: Annotated[int, Field(ge=1, le=5)] | None = None
    issues: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    open_complaint: bool = False     # an issue found opens a complaint, pooled as any other


class CallbackPublic(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    cif: str
    month: date
    rm: str | None
    caller: str | None
    reached: bool | None
    satisfaction: int | None
    issues: str | None
    complaint_id: uuid.UUID | None
    recorded_at: datetime | None


@router.post("/callbacks", response_model=CallbackPublic, status_code=201)
async def record(request: Request, body: CallbackCreate, user: CurrentUser, session: SessionDep):
    customer = await in_scope(session, user, body.customer_id)
    row = await record_callback(session, user, customer, **body.model_dump(exclude={"customer_id"}),
                                rules=request.app.state.settings.control_rules(), business_date=business_today(),
                                now=utcnow())
    await session.commit()
    events_written(request)
    return CallbackPublic.model_validate(row, from_attributes=True)

"""The industry policy (行业政策) as effective-dated data: everyone signed in reads it, an admin sets a
new plan's policy for an industry from a date."""
from datetime import date

from fastapi import APIRouter
from sqlmodel import col, select

from services.customer.api.deps import AUDITED
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import IndustryPolicy
from services.customer.schemas import IndustryPolicyCreate, IndustryPolicyPublic, Page
from services.customer.service.industry_policy import set_policy
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import utcnow

router = APIRouter(tags=["industry-policies"], dependencies=AUDITED)


def _public(row: IndustryPolicy) -> IndustryPolicyPublic:
    return IndustryPolicyPublic.model_validate(row, from_attributes=True)


@router.get("/org/industry-policies", response_model=Page[IndustryPolicyPublic])
async def list_policies(user: CurrentUser, session: SessionDep, on: date | None = None, limit: Limit = 50,
                        cursor: Cursor = None):
    """Every policy row by industry and start, or only those in effect on the day `on`."""
    stmt = select(IndustryPolicy)
    if on is not None:
        ends = col(IndustryPolicy.effective_to)
        stmt = stmt.where(col(IndustryPolicy.effective_from) <= on, ends.is_(None) | (ends >= on))
    rows, next_cursor = await page(session, stmt, [(IndustryPolicy.industry, False),
                                                   (IndustryPolicy.effective_from, False), (IndustryPolicy.id, False)],
                                   limit, cursor)
    return Page(items=[_public(r) for r in rows], next_cursor=next_cursor)


@router.post("/org/industry-policies", response_model=IndustryPolicyPublic, status_code=201)
async def add_policy(body: IndustryPolicyCreate, user: CurrentUser, session: SessionDep):
    """An admin sets an industry's policy from a date; the one in force until then ends the day before."""
    row = await set_policy(session, user, body.industry, body.policy, body.effective_from, body.effective_to,
                           now=utcnow())
    await session.commit()
    return _public(row)

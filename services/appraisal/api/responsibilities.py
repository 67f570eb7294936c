"""NPL responsibility routes: the cases a new NPL opens and the branch head's decision on them, and a
risk manager or branch head charging a loss to an RM directly."""
from fastapi import APIRouter, Request
from sqlmodel import select

from services.appraisal.api import cards_changed
from services.appraisal.models import NplCase, NplResponsibility
from services.appraisal.schemas import CaseDecision, Responsibility
from services.appraisal.scope import may_read_cases, may_record_responsibility, require, require_visible
from services.appraisal.service.npl_cases import decide_case
from services.appraisal.service.responsibility import record_responsibility
from shared.app import SessionDep
from shared.auth import CurrentUser

router = APIRouter(tags=["appraisal"])


@router.post("/appraisal/responsibilities", status_code=201, response_model=NplResponsibility)
async def responsibility(body: Responsibility, user: CurrentUser, session: SessionDep, request: Request):
    require(may_record_responsibility(user))
    await require_visible(session, user, body.username)
    row = await record_responsibility(session, user, **body.model_dump())
    await session.commit()
    cards_changed(request)
    return row


@router.get("/appraisal/responsibility-cases", response_model=list[NplCase])
async def cases(user: CurrentUser, session: SessionDep, status: str | None = None):
    """Responsibility cases opened by new NPLs (proposed / confirmed / rejected); the people named see theirs."""
    query = select(NplCase).order_by(NplCase.opened_day, NplCase.loan_id)
    rows = (await session.exec(query if status is None else query.where(NplCase.status == status))).all()
    return [c for c in rows if may_read_cases(user) or user.username in (c.originator, c.risk_manager)]


@router.post("/appraisal/responsibility-cases/{loan_id}/decision", response_model=NplCase)
async def decide(loan_id: str, body: CaseDecision, user: CurrentUser, session: SessionDep, request: Request):
    """The branch head confirms (with the loss) or rejects a case, with a reason; never someone it names."""
    case = await decide_case(session, user, loan_id, body.decision, body.reason, body.loss_amount)
    await session.commit()
    cards_changed(request)
    return case

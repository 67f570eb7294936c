"""Marketing results (`/marketing-results`): the RM registers, the lead checks what core banking cannot
confirm, and lists what is still unconfirmed after the limit."""
import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import select

from services.customer.api.deps import AUDITED, in_scope
from services.customer.api.names import with_names
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import MarketingResult
from services.customer.schemas import MarketingResultCreate, MarketingResultPublic, Page
from services.customer.scope import checks_results, visible_results
from services.customer.service.marketing import (
    check_result,
    register_result,
    stale_results,
)
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem

router = APIRouter(tags=["marketing-results"], dependencies=AUDITED)


async def _public(session, row: MarketingResult) -> MarketingResultPublic:
    [public] = await with_names(session, [row], MarketingResultPublic)
    return public


BY_DATE = [(MarketingResult.result_date, False), (MarketingResult.id, False)]
NEWEST_FIRST = [(MarketingResult.result_date, True), (MarketingResult.id, True)]


@router.post("/marketing-results", response_model=MarketingResultPublic, status_code=201, summary="登记营销业绩")
async def register(request: Request, body: MarketingResultCreate, user: CurrentUser, session: SessionDep):
    """Register a result (登记每日营销业绩) for a customer in scope; it counts once confirmed."""
    customer = await in_scope(session, user, body.customer_id)
    row = await register_result(session, user, customer, body, now=utcnow())
    await session.commit()
    events_written(request)
    return await _public(session, row)


@router.get("/marketing-results", response_model=Page[MarketingResultPublic], summary="营销业绩列表")
async def list_results(user: CurrentUser, session: SessionDep,
                       start: Annotated[date | None, Query(alias="from")] = None,
                       end: Annotated[date | None, Query(alias="to")] = None, rm: str | None = None,
                       newest_first: bool = False, limit: Limit = 50, cursor: Cursor = None):
    """Results in scope dated from `from` to `to` (default today), oldest first unless `newest_first` (a
    phone scrolling back from today)."""
    first = start or business_today()
    stmt = select(MarketingResult).where(visible_results(user), MarketingResult.result_date >= first,
                                         MarketingResult.result_date <= (end or first))
    if rm:
        stmt = stmt.where(MarketingResult.rm == rm)
    rows, next_cursor = await page(session, stmt, NEWEST_FIRST if newest_first else BY_DATE, limit, cursor)
    return Page(items=await with_names(session, rows, MarketingResultPublic), next_cursor=next_cursor)


@router.get("/marketing-results/unconfirmed", response_model=Page[MarketingResultPublic],
            summary="超期未确认的营销业绩")
async def unconfirmed(user: CurrentUser, session: SessionDep, as_of: date | None = None, limit: Limit = 50,
                      cursor: Cursor = None):
    """For the lead: results in scope still unconfirmed after the limit (30 days)."""
    if not checks_results(user):
        raise Problem(403, "results_checked_by_lead")
    rows, next_cursor = await page(session, stale_results(visible_results(user), as_of or business_today()), BY_DATE,
                                   limit, cursor)
    return Page(items=await with_names(session, rows, MarketingResultPublic), next_cursor=next_cursor)


@router.post("/marketing-results/{result_id}/confirm", response_model=MarketingResultPublic, summary="主管核实营销业绩")
async def confirm(request: Request, result_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    """The lead's check of a result no core-banking event confirms (card, insurance, fund sales)."""
    row = (await session.exec(select(MarketingResult).where(MarketingResult.id == result_id,
                                                            visible_results(user)))).first()
    if row is None:
        raise Problem(404, "not_found")
    row = await check_result(session, user, row, business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return await _public(session, row)

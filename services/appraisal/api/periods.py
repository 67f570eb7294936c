"""Period routes (a month, a quarter or a year): close, publish, adjust, decide 末尾淘汰 proposals, sign off,
recompute from the ledger, and the audit trail."""
from fastapi import APIRouter, Request
from sqlmodel import select

from services.appraisal.api import cards_changed
from services.appraisal.models import AuditEntry, PeriodClose
from services.appraisal.schemas import (
    AdjustedScore,
    Adjustment,
    BottomFlagDecided,
    BottomFlagDecision,
    PeriodPath,
    Publish,
    Recomputed,
)
from services.appraisal.scope import may_read_audit, require, visible_people
from services.appraisal.service.bottom_flags import decide_bottom_flag
from services.appraisal.service.period_close import adjust_score, close_period, period_state, publish_period, sign_off
from services.appraisal.service.recompute import recompute as recompute_cards
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today
from shared.errors import Problem

router = APIRouter(tags=["appraisal"])


@router.get("/appraisal/periods/{period}", response_model=PeriodClose)
async def period(period: PeriodPath, user: CurrentUser, session: SessionDep):
    """Where a period stands: closed / published (with its appeal window) / signed off; 404 while open."""
    state = await period_state(session, period)
    if state is None:
        raise Problem(404, "not_found")
    return state


@router.post("/appraisal/periods/{period}/close", response_model=PeriodClose)
async def close(period: PeriodPath, user: CurrentUser, session: SessionDep, request: Request):
    settings = request.app.state.settings
    state = await close_period(session, user, period, business_today(), settings.bottom_share,
                               settings.bottom_min_headcount, settings.not_appraised_roles)
    await session.commit()
    cards_changed(request)
    events_written(request)
    return state


@router.post("/appraisal/periods/{period}/publish", response_model=PeriodClose)
async def publish(period: PeriodPath, body: Publish, user: CurrentUser, session: SessionDep, request: Request):
    state = await publish_period(session, user, period, body.appeal_until, business_today())
    await session.commit()
    cards_changed(request)
    return state


@router.post("/appraisal/periods/{period}/sign-off", response_model=PeriodClose)
async def sign(period: PeriodPath, user: CurrentUser, session: SessionDep, request: Request):
    state = await sign_off(session, user, period)
    await session.commit()
    cards_changed(request)
    return state


@router.post("/appraisal/periods/{period}/adjustments", response_model=AdjustedScore)
async def adjust(period: PeriodPath, body: Adjustment, user: CurrentUser, session: SessionDep, request: Request):
    snap = await adjust_score(session, user, period, body.username, body.points, body.reason)
    await session.commit()
    cards_changed(request)
    return {"username": snap.username, "period": period, "total": str(snap.total), "grade": snap.grade,
            "rank_bank": snap.rank_bank, "adjustments": snap.card.get("adjustments", [])}


@router.post("/appraisal/periods/{period}/bottom-flags/{username}", response_model=BottomFlagDecided)
async def bottom_flag(period: PeriodPath, username: str, body: BottomFlagDecision, user: CurrentUser,
                      session: SessionDep, request: Request):
    """Confirm or clear the annual close's 末尾淘汰 proposal for one person, with a reason."""
    snap = await decide_bottom_flag(session, user, period, username, body.decision, body.reason)
    await session.commit()
    cards_changed(request)
    return {"username": snap.username, "period": period, "flagged": snap.flagged, **snap.card["bottom_flag"]}


@router.post("/appraisal/periods/{period}/recompute", response_model=Recomputed)
async def recompute(period: PeriodPath, user: CurrentUser, session: SessionDep):
    """Rebuild every card in scope from the ledger and compare it with the live projection's."""
    return await recompute_cards(session, period, await visible_people(session, user), business_today())


@router.get("/appraisal/audit", response_model=list[AuditEntry])
async def audit_trail(user: CurrentUser, session: SessionDep, subject: str | None = None):
    require(may_read_audit(user))
    people = await visible_people(session, user)
    query = select(AuditEntry).order_by(AuditEntry.id)
    rows = (await session.exec(query if subject is None else query.where(AuditEntry.subject == subject))).all()
    return [r for r in rows if people is None or r.subject in people or r.action.startswith("period.")]

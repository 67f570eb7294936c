"""Period routes: close, publish, adjust, sign off, recompute from the ledger, and the audit trail."""
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field
from sqlmodel import select

from services.appraisal.api.scorecards import PERIOD
from services.appraisal.cards import scorecards
from services.appraisal.closing import adjust_score, close_period, period_state, publish_period, sign_off
from services.appraisal.records import AuditEntry, PeriodClose
from services.appraisal.scope import visible_people
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today
from shared.errors import Problem

router = APIRouter(tags=["appraisal"])
def cards_changed(request: Request) -> None:
    request.app.state.stamp_board.expire()


PeriodPath = Annotated[str, Path(pattern=PERIOD.pattern, description="YYYY-MM")]


class Publish(BaseModel):
    appeal_until: date


class Adjustment(BaseModel):
    username: str
    points: Annotated[Decimal, Field(max_digits=6, decimal_places=2)]
    reason: Annotated[str, Field(min_length=2, max_length=500)]


@router.get("/appraisal/periods/{period}", response_model=PeriodClose)
async def period(period: PeriodPath, user: CurrentUser, session: SessionDep):
    """Where a period stands: closed / published (with its appeal window) / signed off; 404 while open."""
    state = await period_state(session, period)
    if state is None:
        raise Problem(404, "not_found")
    return state


@router.post("/appraisal/periods/{period}/close", response_model=PeriodClose)
async def close(period: PeriodPath, user: CurrentUser, session: SessionDep, request: Request):
    state = await close_period(session, user, period, business_today())
    await session.commit()
    cards_changed(request)
    events_written(request)
    return state


@router.post("/appraisal/periods/{period}/publish", response_model=PeriodClose)
async def publish(period: PeriodPath, body: Publish, user: CurrentUser, session: SessionDep, request: Request):
    state = await publish_period(session, user, period, body.appeal_until)
    await session.commit()
    cards_changed(request)
    return state


@router.post("/appraisal/periods/{period}/sign-off", response_model=PeriodClose)
async def sign(period: PeriodPath, user: CurrentUser, session: SessionDep, request: Request):
    state = await sign_off(session, user, period)
    await session.commit()
    cards_changed(request)
    return state


@router.post("/appraisal/periods/{period}/adjustments")
async def adjust(period: PeriodPath, body: Adjustment, user: CurrentUser, session: SessionDep, request: Request):
    snap = await adjust_score(session, user, period, body.username, body.points, body.reason)
    await session.commit()
    cards_changed(request)
    return {"username": snap.username, "period": period, "total": str(snap.total), "grade": snap.grade,
            "rank_bank": snap.rank_bank, "adjustments": snap.card.get("adjustments", [])}


@router.post("/appraisal/periods/{period}/recompute")
async def recompute(period: PeriodPath, user: CurrentUser, session: SessionDep):
    """Rebuild every card in scope from the ledger and compare it with the live projection's."""
    people = await visible_people(session, user)
    only = sorted(people) if people is not None else None
    replayed = await scorecards(session, period, only, source="ledger")
    live = await scorecards(session, period, only)
    differences = [{"username": who, "live": live.get(who, {}).get("total"),
                    "recomputed": replayed.get(who, {}).get("total")}
                   for who in sorted(set(live) | set(replayed)) if live.get(who) != replayed.get(who)]
    return {"period": period, "scorecards": list(replayed.values()), "matches_live": not differences,
            "differences": differences}


@router.get("/appraisal/audit")
async def audit_trail(user: CurrentUser, session: SessionDep, subject: str | None = None):
    if not user.has("auditor", "admin", "branch_head", "team_lead"):
        raise Problem(403, "forbidden")
    people = await visible_people(session, user)
    query = select(AuditEntry).order_by(AuditEntry.id)
    rows = (await session.exec(query if subject is None else query.where(AuditEntry.subject == subject))).all()
    return [r for r in rows if people is None or r.subject in people or r.action.startswith("period.")]

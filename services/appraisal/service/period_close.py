"""Period close (考核结算): close → publish with an appeal window → adjustments (with reason, audited,
never by the person concerned) → sign-off. Closing freezes every card into a snapshot with bank and
unit ranks and five grades, and announces appraisal.period-closed. A month, a quarter and a year each
close, publish and sign off on their own, and only after their last day; only the annual close
proposes the bottom band (末尾淘汰), which a lead or branch head then confirms or clears (bottom_flags)."""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.config import SOURCE
from services.appraisal.models import PeriodClose, ScoreAdjustment, ScorecardSnapshot, StaffMember
from services.appraisal.rules import BOTTOM_MIN_HEADCOUNT, BOTTOM_SHARE, NOT_APPRAISED_ROLES, POINT, bottom_band, period_kind, rank
from services.appraisal.scope import may_adjust, may_close, require, require_visible
from services.appraisal.service.audit import audit
from services.appraisal.service.cards import scorecards
from services.appraisal.service.facts import Period
from shared.auth import Principal
from shared.errors import Problem
from shared.events import APPRAISAL_TOPIC, PeriodClosed
from shared.outbox import record_event


async def period_state(session: AsyncSession, period: str) -> PeriodClose | None:
    return await session.get(PeriodClose, period)


async def close_period(session: AsyncSession, actor: Principal, period: str, business_date: date,
                       share: Decimal = BOTTOM_SHARE, min_headcount: int = BOTTOM_MIN_HEADCOUNT,
                       not_appraised: tuple[str, ...] = NOT_APPRAISED_ROLES) -> PeriodClose:
    require(may_close(actor))
    if await period_state(session, period):
        raise Problem(409, "period_already_closed", period=period)
    last_day = Period.of(period).end_date - timedelta(days=1)
    if business_date <= last_day:   # a card frozen early would ignore the rest of its period
        raise Problem(409, "period_not_over", period=period, last_day=last_day.isoformat())
    cards = await scorecards(session, period, as_of=business_date, not_appraised=not_appraised)
    units = {s.username: s.unit for s in (await session.exec(select(StaffMember))).all()}
    snapshots = [ScorecardSnapshot(period=period, username=who, unit=units.get(who), card=card,
                                   total=Decimal(card["total"]), grade=card["grade"], rank_bank=0, rank_unit=0)
                 for who, card in cards.items()]
    rank(snapshots)
    flagged = bottom_band(snapshots, share, min_headcount) if period_kind(period) == "year" else []
    for s in snapshots:   # a proposal for the lead and the branch head, never a verdict
        s.flagged = s.username in flagged
        if s.flagged:
            s.card = {**s.card, "bottom_flag": {"status": "proposed"}}
    session.add_all(snapshots)
    version = next(iter(cards.values()))["kpi_version"] if cards else 0
    state = PeriodClose(period=period, status="closed", kpi_version=version, closed_by=actor.username)
    session.add(state)
    await audit(session, actor.username, "period.closed", period, scorecards=len(snapshots), flagged=flagged)
    record_event(session, APPRAISAL_TOPIC, "appraisal.period-closed", PeriodClosed(
        period=period, scorecards=len(snapshots), flagged=flagged, kpi_version=version),
        subject=period, business_date=business_date, source=SOURCE)
    return state


async def publish_period(session: AsyncSession, actor: Principal, period: str, appeal_until: date,
                         business_date: date) -> PeriodClose:
    state = await _in_status(session, actor, period, "closed")
    if appeal_until <= business_date:   # a window already shut gives nobody the chance to appeal
        raise Problem(422, "appeal_window_past", field="appeal_until", today=business_date.isoformat())
    state.status, state.appeal_until = "published", appeal_until
    await audit(session, actor.username, "period.published", period, appeal_until=appeal_until.isoformat())
    return state


async def sign_off(session: AsyncSession, actor: Principal, period: str) -> PeriodClose:
    state = await _in_status(session, actor, period, "published")
    if state.closed_by == actor.username:   # four eyes: the sign-off is a second person's
        raise Problem(403, "sign_off_own_close")
    state.status, state.signed_off_by = "signed_off", actor.username
    await audit(session, actor.username, "period.signed_off", period)
    return state


async def _in_status(session: AsyncSession, actor: Principal, period: str, status: str) -> PeriodClose:
    require(may_close(actor))
    state = await period_state(session, period)
    if state is None or state.status != status:
        raise Problem(409, "period_not_in_status", period=period, expected=status)
    session.add(state)
    return state


async def adjust_score(session: AsyncSession, actor: Principal, period: str, username: str, points: Decimal,
                       reason: str) -> ScorecardSnapshot:
    if username == actor.username:  # separation of duties: nobody adjusts their own score
        raise Problem(403, "adjust_own_score")
    require(may_adjust(actor))
    await require_visible(session, actor, username)
    state = await period_state(session, period)
    if state is None or state.status not in ("closed", "published"):
        raise Problem(409, "period_not_adjustable", period=period)
    snapshots = (await session.exec(select(ScorecardSnapshot).where(ScorecardSnapshot.period == period))).all()
    target = next((s for s in snapshots if s.username == username), None)
    if target is None:
        raise Problem(404, "not_found")
    before = Decimal(str(target.total))
    target.total = (before + points).quantize(POINT, ROUND_HALF_UP)
    target.card = {**target.card, "total": str(target.total),
                   "adjustments": [*target.card.get("adjustments", []),
                                   {"points": str(points), "reason": reason, "by": actor.username}]}
    rank(snapshots)
    target.card["grade"] = target.grade
    session.add_all(snapshots)
    session.add(ScoreAdjustment(period=period, username=username, points=points, reason=reason,
                                adjusted_by=actor.username))
    await audit(session, actor.username, "score.adjusted", username, period=period, points=str(points), reason=reason,
                total_before=str(before), total_after=str(target.total))
    return target

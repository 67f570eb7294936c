"""Scorecard and ranking routes: the frozen snapshot once a period is closed, else the live card."""
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Request, Response
from sqlmodel import select

from services.appraisal.models import ScorecardSnapshot, StaffMember
from services.appraisal.rules import appraised
from services.appraisal.schemas import Kpi, PeriodQuery, Ranked, Scorecard
from services.appraisal.scope import require_visible, sees_everyone, visible_people
from services.appraisal.service.cards import scorecards
from services.appraisal.service.period_close import period_state
from services.appraisal.texts import NOTES
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today
from shared.errors import Problem, wants_english

router = APIRouter(tags=["appraisal"])


def present(card: dict, status: str, english: bool, snapshot: ScorecardSnapshot | None = None) -> Scorecard:
    lang = 1 if english else 0
    path = f"/api/v1/appraisal/scorecards/{card['username']}/kpis/{{}}?period={card['period']}"
    kpis = [Kpi(**{**k, "name": k["name_en"] if english else k["name_zh"], "drilldown": None,
                   "drilldown_path": path.format(k["code"]),
                   "note": NOTES[k["note"]][lang] if k.get("note") else None}) for k in card["kpis"]]
    extra = {"rank_bank": snapshot.rank_bank, "rank_unit": snapshot.rank_unit, "flagged": snapshot.flagged,
             "grade": snapshot.grade or None} if snapshot else {}
    return Scorecard(**{**card, "kpis": kpis, "status": status, **extra})


async def render(session, username: str, period: str, english: bool, code: str | None, today: date,
                 settings, own_roles: tuple[str, ...] | None) -> bytes:
    """The card (code None) or one KPI line with its drill-down, as JSON bytes. Staff who are not appraised
    (by default those who only lead, manage risk or audit) have no card: status not_appraised."""
    state = await period_state(session, period)
    snap = await session.get(ScorecardSnapshot, (period, username)) if state else None
    member = await session.get(StaffMember, username)
    roles = member.roles if member is not None else own_roles
    if snap is None and roles and not appraised(roles, settings.not_appraised_roles):
        if code is not None:
            raise Problem(404, "not_found")
        return Scorecard(username=username, period=period, status="not_appraised", kpis=[], total=None,
                         grade=None).model_dump_json().encode()
    card = snap.card if snap is not None else (await scorecards(session, period, [username], as_of=today))[username]
    shown = present(card, state.status if state is not None and snap is not None else "provisional", english, snap)
    if code is None:
        return shown.model_dump_json(exclude={"kpis": {"__all__": {"drilldown"}}}).encode()
    line = next((k for k in shown.kpis if k.code == code), None)
    if line is None:
        raise Problem(404, "not_found")
    line.drilldown = next(k["drilldown"] for k in card["kpis"] if k["code"] == code)
    return line.model_dump_json().encode()


class SessionOnDemand:
    """The request's session, opened at the first `await db()`: a card served from the rendered copy
    then costs no pool checkout, ping, BEGIN or ROLLBACK."""

    def __init__(self, sessions):
        self.sessions, self.session, self.opened = sessions, None, None

    async def __call__(self):
        if self.session is None:
            self.opened = self.sessions()
            self.session = await self.opened.__aenter__()
        return self.session

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        if self.opened is not None:
            await self.opened.__aexit__(*exc)


async def served(request: Request, user, username: str, period: str | None, code: str | None) -> Response:
    """Served from a rendered copy while nothing behind it changed: most reads on a busy morning never
    reach the database."""
    state = request.app.state
    async with SessionOnDemand(state.sessions) as db:
        if username != user.username and not sees_everyone(user):
            await require_visible(await db(), user, username)
        today = business_today()
        period = period or today.strftime("%Y-%m")
        # the date is in the key: a task falls past due overnight with no event to re-stamp the card
        key = (username, period, wants_english(request), code, today)
        current = await state.stamp_board.stamps(db, username)
        body = state.rendered_cards.get(key, current)   # stamps read before computing: a later write re-stamps
        if body is None:
            body = await render(await db(), username, period, key[2], code, today, request.app.state.settings,
                                user.roles if username == user.username else None)
            state.rendered_cards.put(key, current, body)
    return Response(body, media_type="application/json")


@router.get("/appraisal/scorecards/{username}", response_model=Scorecard)
async def scorecard(username: str, user: CurrentUser, request: Request, period: PeriodQuery):
    """The frozen card once the period is closed, else the provisional one."""
    return await served(request, user, username, period, None)


@router.get("/appraisal/scorecards/{username}/kpis/{code}", response_model=Kpi)
async def scorecard_kpi(username: str, code: str, user: CurrentUser, request: Request, period: PeriodQuery):
    """One KPI with the figures behind it: per customer the balance-days and the weighted 日均, the loans,
    the counts."""
    return await served(request, user, username, period, code)


@router.get("/appraisal/rankings", response_model=list[Ranked])
async def rankings(user: CurrentUser, session: SessionDep, request: Request, period: PeriodQuery,
                   unit: str | None = None):
    """Closed periods rank from the snapshot (per unit when `unit` is given); open ones provisionally."""
    today = business_today()
    period = period or today.strftime("%Y-%m")
    people = await visible_people(session, user, unit)
    if await period_state(session, period):
        query = select(ScorecardSnapshot).where(ScorecardSnapshot.period == period)
        rows = [s for s in (await session.exec(query)).all() if people is None or s.username in people]
        key = (lambda s: s.rank_unit) if unit else (lambda s: s.rank_bank)
        return [Ranked(rank=key(s), username=s.username, unit=s.unit, total=s.total, grade=s.grade or None,
                       flagged=s.flagged)
                for s in sorted(rows, key=lambda s: (key(s), s.username))]
    cards = await scorecards(session, period, sorted(people) if people is not None else None, as_of=today,
                             not_appraised=request.app.state.settings.not_appraised_roles)
    ordered = sorted(cards.values(), key=lambda c: (-Decimal(c["total"]), c["username"]))
    return [Ranked(rank=i, username=c["username"], unit=None, total=c["total"], grade=c["grade"], flagged=False)
            for i, c in enumerate(ordered, 1)]

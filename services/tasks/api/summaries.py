"""Daily and weekly summaries (`/me/summaries/daily`, `/me/summaries/weekly`): the caller's own, or with
`rm=` an RM's in a lead's scope; and the team's submission status (`/teams/{id}/summaries`)."""
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.tasks.models import StaffEntry, Summary
from services.tasks.schemas import SummaryPublic, SummaryStatus, SummaryUpdate
from services.tasks.scope import keeps_a_day, leads_summaries, may_read_summaries_of, may_see_team_agenda
from services.tasks.service.audit import audit
from services.tasks.service.summaries import draft, submit, team_status, week_days
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem, wants_english

router = APIRouter(tags=["rm-day"])
DayParam = Annotated[date | None, Query(alias="date", description="business date; default today in Beijing time")]
WeekParam = Annotated[str | None, Query(description="ISO week YYYY-Www; default this week")]
RmParam = Annotated[str | None, Query(description="a lead reads an RM of the team")]


def _this_week() -> str:
    year, week, _ = business_today().isocalendar()
    return f"{year}-W{week:02d}"


async def _whose(session, user, rm: str | None) -> str:
    """The caller's own summaries, or (a lead) an RM's in scope; out of scope looks absent."""
    if rm is None or rm == user.username:
        if not keeps_a_day(user):
            raise Problem(403, "rm_only")
        return user.username
    if not leads_summaries(user):
        raise Problem(403, "summaries_need_lead")
    staff = await session.get(StaffEntry, rm)
    if staff is None or not may_read_summaries_of(user, staff):
        raise Problem(404, "not_found")
    return rm


async def _read(session, rm: str, period: str, first: date, last: date, english: bool) -> SummaryPublic:
    row = await session.get(Summary, (rm, period))
    if row is not None and row.submitted_at is not None:
        return SummaryPublic(rm=rm, period=period, status="submitted", notes=row.notes, submitted_at=row.submitted_at,
                             content=row.content)
    return SummaryPublic(rm=rm, period=period, status="draft", content=await draft(session, rm, first, last, english))


async def _submit(request, session, user, period: str, first: date, last: date, body: SummaryUpdate):
    if not keeps_a_day(user):
        raise Problem(403, "rm_only")
    content = await draft(session, user.username, first, last, wants_english(request))
    now = utcnow()
    row = await submit(session, user.username, user.team, period, body.notes, content, now=now)
    audit(session, user, "summary.submitted", f"{row.rm}:{period}", now=now, notes=body.notes)
    await session.commit()
    return SummaryPublic(rm=row.rm, period=period, status="submitted", notes=row.notes, submitted_at=row.submitted_at,
                         content=row.content)


@router.get("/me/summaries/daily", response_model=SummaryPublic, tags=["me"], summary="日小结（草稿或已提交）")
async def daily(request: Request, user: CurrentUser, session: SessionDep, day: DayParam = None, rm: RmParam = None):
    """The day's summary: submitted as it was, else drafted from the day's records."""
    day = day or business_today()
    return await _read(session, await _whose(session, user, rm), day.isoformat(), day, day, wants_english(request))


@router.put("/me/summaries/daily", response_model=SummaryPublic, tags=["me"], summary="提交日小结")
async def submit_daily(request: Request, body: SummaryUpdate, user: CurrentUser, session: SessionDep,
                       day: DayParam = None):
    day = day or business_today()
    return await _submit(request, session, user, day.isoformat(), day, day, body)


@router.get("/me/summaries/weekly", response_model=SummaryPublic, tags=["me"], summary="一周一小结（草稿或已提交）")
async def weekly(request: Request, user: CurrentUser, session: SessionDep, week: WeekParam = None, rm: RmParam = None):
    """The week's summary, with premium customers' accounts opened and closed (一周一小结)."""
    week = week or _this_week()
    first, last = week_days(week)
    return await _read(session, await _whose(session, user, rm), week, first, last, wants_english(request))


@router.put("/me/summaries/weekly", response_model=SummaryPublic, tags=["me"], summary="提交周小结")
async def submit_weekly(request: Request, body: SummaryUpdate, user: CurrentUser, session: SessionDep,
                        week: WeekParam = None):
    week = week or _this_week()
    first, last = week_days(week)
    return await _submit(request, session, user, week, first, last, body)


@router.get("/teams/{team_id}/summaries", response_model=list[SummaryStatus], summary="团队小结提交情况")
async def team_summaries(team_id: str, user: CurrentUser, session: SessionDep, day: DayParam = None,
                         week: WeekParam = None):
    """Who in the team has submitted the day's (or with `week=` the week's) summary, and by when it was due:
    the next business morning after the period."""
    if not leads_summaries(user):
        raise Problem(403, "summaries_need_lead")
    if not may_see_team_agenda(user, team_id):
        raise Problem(404, "not_found")
    if week:
        period, last = week, week_days(week)[1]
    else:
        last = day or business_today() - timedelta(days=1)
        period = last.isoformat()
    today = business_today()
    return [SummaryStatus(rm=rm, period=period, submitted=done, due_by=due, late=not done and today >= due)
            for rm, done, due in await team_status(session, team_id, period, last)]

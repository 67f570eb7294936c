"""Agenda routes: the caller's ranked day (`/me/agenda`) and a lead's team day (`/teams/{id}/agenda`)."""
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import or_

from services.tasks.models import Task
from services.tasks.schemas import Agenda, TeamAgenda, UpcomingAgenda
from services.tasks.scope import may_see_team_agenda, visible_tasks
from services.tasks.service.agenda import agenda_rows, agenda_version, due_after, due_by, order, ranked
from services.tasks.service.appointments import appointments_of_day
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today
from shared.errors import Problem, wants_english
from shared.etag import weak_etag

router = APIRouter(tags=["agenda"])
DayParam = Annotated[date | None, Query(alias="date", description="business date; default today in Beijing time")]
LimitParam = Annotated[int, Query(ge=1, le=500, description="how many of the top-ranked items")]


async def _page(session, day: date, *where, limit: int) -> list:
    return (await session.execute(agenda_rows(*where, *due_by(day)).order_by(*order(day)).limit(limit))).all()


def _json(model) -> Response:
    """Serialized once here: FastAPI would validate the hundred items again against response_model."""
    return Response(model.model_dump_json(), media_type="application/json")


def _mine(username: str):
    return or_(Task.assignee == username, Task.escalated_to == username, Task.copied_to == username)


@router.get("/me/agenda", response_model=Agenda, tags=["me"])
async def my_agenda(request: Request, user: CurrentUser, day: DayParam = None, limit: LimitParam = 100):
    """Open tasks due by `date` that are mine, escalated to me, or copied to me — ranked and explained."""
    day, english, state = day or business_today(), wants_english(request), request.app.state
    key = (user.username, day, english, limit)
    # The version is read after this request arrived and before the page: a change committed in between
    # is newer than the version we store, so the next read recomputes — never the other way round.
    # A hit opens no session at all.
    version = await state.agenda_versions.current(user.username)
    cached = None if version is None else state.agenda_pages.get(key, version)
    if cached is None:
        async with state.sessions() as session:
            if version is None:
                version = await agenda_version(session, user.username)
            rows = await _page(session, day, _mine(user.username), limit=limit)
            appointments = await appointments_of_day(session, user.username, day)
        page = Agenda.model_construct(date=day, items=ranked(rows, day, user.username, english),
                                      appointments=appointments).model_dump_json().encode()
        # tagged once per rendering: the gateway uses a service's own ETag instead of hashing the page again
        cached = (page, weak_etag(page))
        state.agenda_pages.put(key, version, cached)
    page, etag = cached
    return Response(page, media_type="application/json", headers={"ETag": etag})


@router.get("/me/agenda/upcoming", response_model=UpcomingAgenda, tags=["me"])
async def my_upcoming_agenda(request: Request, user: CurrentUser, session: SessionDep, day: DayParam = None,
                             days: Annotated[int, Query(ge=1, le=31, description="calendar days after `date` "
                                                        "(7: the coming week, weekends and holidays included)")] = 7,
                             limit: LimitParam = 100):
    """What falls due in the coming days beside today's agenda: the same items, ranked by due date.
    Calendar days, not business days: the phone shows a week ahead, and each task's due date already
    counts business days where its rule says so."""
    day, english = day or business_today(), wants_english(request)
    until = day + timedelta(days=days)
    rows = (await session.execute(agenda_rows(_mine(user.username), *due_after(day, until))
                                  .order_by(*order(day)).limit(limit))).all()
    return _json(UpcomingAgenda.model_construct(date=day, until=until, items=ranked(rows, day, user.username, english)))


@router.get("/teams/{team_id}/agenda", response_model=TeamAgenda)
async def team_agenda(request: Request, team_id: str, user: CurrentUser, session: SessionDep, day: DayParam = None,
                      limit: LimitParam = 200):
    """The team's open tasks due by `date` (each with its assignee), and the unit's unassigned queue."""
    if not may_see_team_agenda(user, team_id):
        raise Problem(404, "not_found")
    day, english = day or business_today(), wants_english(request)
    team = await _page(session, day, Task.team == team_id, visible_tasks(user), limit=limit)
    queue = await _page(session, day, Task.assignee.is_(None), visible_tasks(user), limit=limit)
    return _json(TeamAgenda.model_construct(date=day, team=team_id, items=ranked(team, day, user.username, english),
                                            unassigned=ranked(queue, day, user.username, english)))

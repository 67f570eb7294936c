"""Daily and weekly summaries (日小结 / 一周一小结): drafted from what this service holds and what other
services told it (tasks completed, appointments, interactions, marketing results, premium accounts
opened and closed), submitted with the RM's notes; the lead sees who has not submitted in time."""
import re
from datetime import date, datetime, time, timedelta

from sqlmodel import select

from services.tasks.models import Appointment, DayActivity, StaffEntry, Summary, Task
from services.tasks.rules import summary_due
from services.tasks.service.calendar import load_calendar
from services.tasks.texts import render
from shared.clock import BANK_TZ
from shared.errors import Problem

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
ACTIVITIES = {"interaction": "interactions", "marketing_result": "marketing_results",
              "account_opened": "premium_accounts_opened", "account_closed": "premium_accounts_closed"}


def week_days(week: str) -> tuple[date, date]:
    """`YYYY-Www` (ISO week) → its Monday and Sunday."""
    match = WEEK.match(week)
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1) if match else None
    except ValueError:
        monday = None
    if monday is None:
        raise Problem(422, "bad_week", field="week")
    return monday, monday + timedelta(days=6)


async def draft(session, rm: str, first: date, last: date, english: bool) -> dict:
    """What the RM did from `first` to `last` (the bank's dates), listed and counted."""
    start = datetime.combine(first, time.min, BANK_TZ)
    end = datetime.combine(last + timedelta(days=1), time.min, BANK_TZ)
    done = (await session.exec(select(Task).where(
        Task.assignee == rm, Task.status == "done", Task.completed_at >= start, Task.completed_at < end)
        .order_by(Task.completed_at))).all()
    appts = (await session.exec(select(Appointment).where(
        Appointment.rm == rm, Appointment.day >= first, Appointment.day <= last).order_by(Appointment.starts_at))).all()
    facts = (await session.exec(select(DayActivity).where(
        DayActivity.rm == rm, DayActivity.day >= first, DayActivity.day <= last)
        .order_by(DayActivity.day, DayActivity.ref))).all()
    completed = [{"id": str(t.id), "kind": t.kind, "title": render(t.rule, t.params, english)[0],
                  "completed_at": t.completed_at.isoformat(),
                  "on_time": t.completed_at.astimezone(BANK_TZ).date() <= t.due_date} for t in done]
    content: dict = {"from": first.isoformat(), "to": last.isoformat(), "tasks_completed": completed,
                     "appointments": [{"id": str(a.id), "cif": a.cif, "starts_at": a.starts_at.isoformat(),
                                       "place": a.place, "purpose": a.purpose, "status": a.status} for a in appts],
                     **{name: [] for name in ACTIVITIES.values()}}
    for fact in facts:
        content[ACTIVITIES[fact.kind]].append({"ref": fact.ref, "cif": fact.cif, "day": fact.day.isoformat(),
                                               **fact.detail})
    content["counts"] = {k: len(v) for k, v in content.items() if isinstance(v, list)}
    return content


async def submit(session, rm: str, team: str | None, period: str, notes: str, content: dict, *,
                 now: datetime) -> Summary:
    """Notes added and the draft frozen as submitted; submitting again replaces notes and content."""
    row = await session.get(Summary, (rm, period)) or Summary(rm=rm, period=period)
    row.team, row.notes, row.content, row.submitted_at = team, notes, content, now
    session.add(row)
    return row


async def team_status(session, team: str, period: str, last: date) -> list[tuple[str, bool, date]]:
    """Each active RM of the team: submitted the period's summary or not, and by when it was due."""
    staff = (await session.exec(select(StaffEntry).where(StaffEntry.team == team, StaffEntry.active)
                                .order_by(StaffEntry.username))).all()
    rms = [s.username for s in staff if "rm" in (s.roles or [])]
    done = set((await session.exec(select(Summary.rm).where(Summary.period == period, Summary.rm.in_(rms),
                                                            Summary.submitted_at.is_not(None)))).all())
    due = summary_due(await load_calendar(session), last)
    return [(rm, rm in done, due) for rm in rms]

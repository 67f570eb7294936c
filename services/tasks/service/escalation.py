"""Tasks past due go up to the team lead, one level per business day late; each step is announced
(task.escalated) so appraisal can count it. The task keeps its assignee: the lead sees whose it was."""
import logging
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import OPEN_STATUSES, Task
from services.tasks.service.calendar import BusinessCalendar, load_calendar
from services.tasks.service.routing import active_staff, team_leads
from services.tasks.service.task_events import announce, escalated_event

log = logging.getLogger("scheduler")


def business_days_late(calendar: BusinessCalendar, due: date, today: date) -> int:
    late, day = 0, due
    while day < today:
        day = calendar.add_business_days(day, 1)
        late += day <= today
    return late


async def escalate_overdue(session: AsyncSession, today: date, now: datetime) -> int:
    """Raise each late open task to its current level; a task already at that level is left alone, and
    one whose dates the calendar cannot count is logged and left for the others to go on."""
    calendar, leads = await load_calendar(session), team_leads(await active_staff(session))
    # Locked (in id order) until this escalation commits: a second scheduler beside this one (a rollout
    # overlapping, a manual run) waits here, then reads the levels just raised and announces nothing twice.
    late = (await session.exec(select(Task).where(Task.status.in_(OPEN_STATUSES), Task.due_date < today,
                                                  Task.assignee.is_not(None))
                               .order_by(Task.id).with_for_update())).all()
    raised = 0
    for task in late:
        try:
            level = business_days_late(calendar, task.due_date, today)
        except Exception as err:  # noqa: BLE001 - one task's bad date must not stop every escalation
            log.warning("escalation skipped task %s due %s: %s: %s", task.id, task.due_date, type(err).__name__, err)
            continue
        if level <= task.escalation_level:
            continue
        task.escalation_level, task.escalated_to, task.updated_at = level, leads.get(task.team), now
        session.add(task)
        announce(session, "task.escalated", escalated_event(task), task, business_date=today, now=now)
        raised += 1
    return raised

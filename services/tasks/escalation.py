"""Tasks past due go up to the team lead, one level per business day late; each step is announced
(task.escalated) so appraisal can count it. The task keeps its assignee: the lead sees whose it was."""
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import BusinessCalendar, load_calendar
from services.tasks.models import OPEN_STATUSES, StaffEntry, Task
from services.tasks.service import SOURCE
from shared.events import TASKS_TOPIC, TaskEscalated
from shared.outbox import record_event


def business_days_late(calendar: BusinessCalendar, due: date, today: date) -> int:
    late, day = 0, due
    while day < today:
        day = calendar.add_business_days(day, 1)
        late += day <= today
    return late


async def team_leads(session: AsyncSession) -> dict[str, str]:
    staff = (await session.exec(select(StaffEntry).where(StaffEntry.active))).all()
    return {s.team: s.username for s in sorted(staff, key=lambda s: s.username, reverse=True)
            if s.team and "team_lead" in s.roles}


async def escalate_overdue(session: AsyncSession, today: date, now: datetime) -> int:
    """Raise each late open task to its current level; a task already at that level is left alone."""
    calendar, leads = await load_calendar(session), await team_leads(session)
    # Locked (in id order) until this escalation commits: a second scheduler beside this one (a rollout
    # overlapping, a manual run) waits here, then reads the levels just raised and announces nothing twice.
    late = (await session.exec(select(Task).where(Task.status.in_(OPEN_STATUSES), Task.due_date < today,
                                                  Task.assignee.is_not(None))
                               .order_by(Task.id).with_for_update())).all()
    raised = 0
    for task in late:
        level = business_days_late(calendar, task.due_date, today)
        if level <= task.escalation_level:
            continue
        task.escalation_level, task.escalated_to, task.updated_at = level, leads.get(task.team), now
        session.add(task)
        record_event(session, TASKS_TOPIC, "task.escalated", TaskEscalated(
            task_id=str(task.id), customer_id=task.cif, assignee=task.assignee, escalated_to=task.escalated_to,
            level=level, due_date=task.due_date), subject=task.cif or str(task.id), business_date=today,
            source=SOURCE, now=now)
        raised += 1
    return raised

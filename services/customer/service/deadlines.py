"""The controls' deadlines, run once per business day (`python -m services.customer.cli.deadlines`):
a ready credit file not submitted by its due date goes up to the team lead, one level per business day
late (credit.submission-late each day); a complaint past its handling limit goes to the branch head
(complaint.escalated). Set-based: one query per kind for everything late on `today`. And when the bank
changes its word on a day, the deadlines running across it move (move_running_deadlines)."""
from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Complaint, CreditApplication
from services.customer.rules import Overrides, business_days_late, moved_due
from services.customer.service.calendar import calendar_overrides
from services.customer.service.complaints import branch_head, team_lead
from services.customer.service.outbox import publish
from shared.events.controls import ComplaintEscalated, CreditSubmissionLate


async def escalate_late(session: AsyncSession, today: date, now: datetime) -> int:
    raised, overrides = 0, await calendar_overrides(session)
    for application in (await session.exec(select(CreditApplication).where(
            CreditApplication.status == "ready", CreditApplication.due_on < today))).all():
        due = application.due_on
        level = business_days_late(due, today, overrides) if due is not None else 0   # a ready file always has its due date
        if level <= application.escalation_level:
            continue
        application.escalation_level = level
        application.escalated_to = await team_lead(session, application.team, application.rm) \
            or await branch_head(session, application.unit_path, application.rm)
        session.add(application)
        publish(session, "credit.submission-late", CreditSubmissionLate(
            application_id=str(application.id), customer_id=application.cif, rm=application.rm,
            escalated_to=application.escalated_to, level=level, due_on=due),
            subject=application.cif, business_date=today, now=now)
        raised += 1
    for complaint in (await session.exec(select(Complaint).where(Complaint.status == "open",
                                                                 Complaint.due_on < today))).all():
        complaint.status = "escalated"
        complaint.escalated_to = await branch_head(session, complaint.unit_path, complaint.about)
        session.add(complaint)
        publish(session, "complaint.escalated", ComplaintEscalated(
            complaint_id=str(complaint.id), customer_id=complaint.cif, escalated_to=complaint.escalated_to,
            due_on=complaint.due_on), subject=complaint.cif, business_date=today, now=now)
        raised += 1
    return raised


async def move_running_deadlines(session: AsyncSession, days: Iterable[date], before: Overrides,
                                 after: Overrides) -> int:
    """A ready file not yet escalated and an open complaint keep their number of business days when the
    bank changes its word on a day inside their window (`days`: the days changed): their due date moves."""
    days = set(days)
    if not days:
        return 0
    first, last, moved = min(days), max(days), 0
    files = (await session.exec(select(CreditApplication).where(
        CreditApplication.status == "ready", CreditApplication.escalation_level == 0,
        CreditApplication.ready_on < last, CreditApplication.due_on >= first))).all()
    complaints = (await session.exec(select(Complaint).where(
        Complaint.status == "open", Complaint.filed_on < last, Complaint.due_on >= first))).all()
    running: list[tuple[CreditApplication | Complaint, date | None, date | None]] = \
        [(a, a.ready_on, a.due_on) for a in files] + [(c, c.filed_on, c.due_on) for c in complaints]
    for row, start, due in running:
        if start is None or due is None:   # a ready file always has both
            continue
        row.due_on = moved_due(start, due, before, after)
        if row.due_on != due:
            session.add(row)
            moved += 1
    return moved

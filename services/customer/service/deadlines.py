"""The controls' deadlines, run once per business day (`python -m services.customer.cli.deadlines`):
a ready credit file not submitted by its due date goes up to the team lead, one level per business day
late (credit.submission-late each day); a complaint past its handling limit goes to the branch head
(complaint.escalated). Set-based: one query per kind for everything late on `today`."""
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Complaint, CreditApplication
from services.customer.rules import business_days_late
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

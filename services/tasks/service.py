"""Service functions for tasks: raise (insert-or-update), route to owners, complete."""
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import BusinessCalendar
from services.tasks.models import OPEN_STATUSES, CustomerBook, Task
from services.tasks.rules import LOAN_DUE
from shared.db import insert
from shared.events import TASKS_TOPIC, LoanDue, TaskCompleted, TaskCreated
from shared.outbox import record_event

SOURCE = "tasks-service"


async def book_entry(session: AsyncSession, cif: str) -> CustomerBook | None:
    return await session.get(CustomerBook, cif)


async def raise_task(session: AsyncSession, task: Task, *, business_date: date, now: datetime) -> tuple[Task, bool]:
    """Insert the task, or — when (rule, subject, anchor date) already has one — refresh its facts.
    Atomic insert-or-skip on the unique key, never check-then-insert."""
    values = task.model_dump(exclude={"outcome", "completed_at"})
    inserted = (await session.execute(insert(session, Task).values(**values).on_conflict_do_nothing(
        index_elements=["rule", "subject", "anchor_date"]).returning(Task.id))).first()
    if inserted:
        record_event(session, TASKS_TOPIC, "task.created", TaskCreated(
            task_id=str(task.id), kind=task.kind, rule=task.rule, customer_id=task.cif, assignee=task.assignee,
            due_date=task.due_date), subject=task.cif or str(task.id), business_date=business_date,
            source=SOURCE, now=now)
        return task, True
    existing = (await session.exec(select(Task).where(Task.rule == task.rule, Task.subject == task.subject,
                                                      Task.anchor_date == task.anchor_date))).one()
    if existing.status in OPEN_STATUSES:  # a corrected fact (new amount) updates the open task in place
        existing.amount, existing.params, existing.updated_at = task.amount, task.params, now
        existing.source_event_id = task.source_event_id
        session.add(existing)
    return existing, False


def loan_due_task(event: LoanDue, event_id: str, owner: CustomerBook | None, calendar: BusinessCalendar,
                  business_date: date, now: datetime) -> Task:
    government = bool(owner and owner.government_related)
    lead = LOAN_DUE.lead_for(government)
    return Task(
        rule=LOAN_DUE.name, rule_version=LOAN_DUE.version, kind=LOAN_DUE.kind, subject=event.loan_id,
        anchor_date=event.due_date, cif=event.customer_id, customer_ref=owner.customer_ref if owner else None,
        assignee=owner.owner if owner else None, team=owner.owner_team if owner else None,
        unit_path=owner.unit_path if owner else "",
        due_date=LOAN_DUE.due_date(calendar, event.due_date, government, business_date),
        priority=LOAN_DUE.priority, amount=event.principal_due + event.interest_due, source_event_id=event_id,
        params={"loan_id": event.loan_id, "loan_due_date": event.due_date.isoformat(),
                "principal_due": str(event.principal_due), "interest_due": str(event.interest_due),
                "outstanding_balance": str(event.outstanding_balance), "lead_days": lead,
                "government_note_key": "government" if government else ""},
        created_at=now, updated_at=now)


async def follow_owner(session: AsyncSession, book: CustomerBook, calendar: BusinessCalendar,
                       business_date: date, now: datetime) -> int:
    """Open tasks follow the customer to its (new) owner; done ones stay with whoever did them.
    Collection due dates are recomputed, since only now may we know the borrower is government-related."""
    tasks = (await session.exec(select(Task).where(Task.cif == book.cif, Task.status.in_(OPEN_STATUSES)))).all()
    for task in tasks:
        task.assignee, task.team, task.unit_path = book.owner, book.owner_team, book.unit_path
        task.customer_ref = book.customer_ref
        if task.rule == LOAN_DUE.name and task.assignee:
            task.due_date = LOAN_DUE.due_date(calendar, task.anchor_date, book.government_related, business_date)
            lead = LOAN_DUE.lead_for(book.government_related)
            task.params = {**task.params, "lead_days": lead,
                           "government_note_key": "government" if book.government_related else ""}
        task.updated_at = now
        session.add(task)
    return len(tasks)


async def complete_task(session: AsyncSession, task: Task, outcome: str, *, business_date: date,
                        now: datetime) -> Task:
    task.status, task.outcome, task.completed_at, task.updated_at = "done", outcome, now, now
    session.add(task)
    record_event(session, TASKS_TOPIC, "task.completed", TaskCompleted(
        task_id=str(task.id), customer_id=task.cif, assignee=task.assignee, due_date=task.due_date,
        completed_on=business_date, on_time=business_date <= task.due_date),
        subject=task.cif or str(task.id), business_date=business_date, source=SOURCE, now=now)
    await session.commit()
    return task


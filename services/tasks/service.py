"""Service functions for tasks: raise (insert-or-update), route to owners, and the lifecycle
open → in_progress → done / cancelled."""
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import BusinessCalendar
from services.tasks.models import OPEN_STATUSES, CustomerBook, Task
from services.tasks.rules import LOAN_DUE, LoanDueRule, Rule, tier_rank
from shared.db import insert
from shared.events import TASKS_TOPIC, LoanDue, TaskCancelled, TaskCompleted, TaskCreated
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
        record_created(session, task, business_date=business_date, now=now)
        return task, True
    existing = (await session.exec(select(Task).where(Task.rule == task.rule, Task.subject == task.subject,
                                                      Task.anchor_date == task.anchor_date))).one()
    if refresh_task(existing, task, now):
        session.add(existing)
    return existing, False


def created_event(task: Task) -> TaskCreated:
    return TaskCreated(task_id=str(task.id), kind=task.kind, rule=task.rule, customer_id=task.cif,
                       assignee=task.assignee, due_date=task.due_date)


def record_created(session: AsyncSession, task: Task, *, business_date: date, now: datetime) -> None:
    record_event(session, TASKS_TOPIC, "task.created", created_event(task), subject=task.cif or str(task.id),
                 business_date=business_date, source=SOURCE, now=now)


def refresh_task(existing: Task, task: Task, now: datetime) -> bool:
    """A task raised again for the same (rule, subject, anchor date): a corrected fact (new amount)
    updates the open task in place (True); a done or cancelled one stays as it was."""
    if existing.status not in OPEN_STATUSES:
        return False
    existing.amount, existing.params, existing.updated_at = task.amount, task.params, now
    existing.source_event_id = task.source_event_id
    return True


def task_values(rule: Rule, *, subject: str, anchor: date, book: CustomerBook | None, cif: str | None,
                due_date: date, now: datetime, params: dict, amount: Decimal | None = None,
                source_event_id: str | None = None, risk_rank: int = 9) -> dict:
    """Every column of a new open task made by `rule` (name and version recorded), routed to the
    customer's owner when known."""
    return {"id": uuid.uuid4(), "rule": rule.name, "rule_version": rule.version, "kind": rule.kind,
            "priority": rule.priority, "subject": subject, "anchor_date": anchor, "cif": cif,
            "customer_ref": book.customer_ref if book else None, "assignee": book.owner if book else None,
            "team": book.owner_team if book else None, "unit_path": book.unit_path if book else "",
            "due_date": due_date, "status": "open", "amount": amount, "params": params,
            "source_event_id": source_event_id, "outcome": None, "cancel_reason": None, "copied_to": None,
            "escalated_to": None, "escalation_level": 0, "tier_rank": tier_rank(book.tier if book else None),
            "risk_rank": risk_rank, "created_at": now, "updated_at": now, "completed_at": None}


def new_task(rule: Rule, **facts) -> Task:
    return Task(**task_values(rule, **facts))


def loan_due_task(event: LoanDue, event_id: str, owner: CustomerBook | None, calendar: BusinessCalendar,
                  business_date: date, now: datetime, rule: Rule | None = None, make=new_task) -> Task:
    government = bool(owner and owner.government_related)
    loan_rule = LoanDueRule.of(rule) if rule else LOAN_DUE
    lead = loan_rule.lead_for(government)
    return make(
        rule or Rule(LOAN_DUE.name, LOAN_DUE.kind, LOAN_DUE.priority), subject=event.loan_id,
        anchor=event.due_date, book=owner, cif=event.customer_id,
        due_date=loan_rule.due_date(calendar, event.due_date, government, business_date), now=now,
        amount=event.principal_due + event.interest_due, source_event_id=event_id,
        params={"loan_id": event.loan_id, "loan_due_date": event.due_date.isoformat(),
                "principal_due": str(event.principal_due), "interest_due": str(event.interest_due),
                "outstanding_balance": str(event.outstanding_balance), "lead_days": lead,
                "rule_lead_days": loan_rule.lead_days, "rule_lead_days_government": loan_rule.lead_days_government,
                "government_note_key": "government" if government else ""})


async def follow_owner(session: AsyncSession, book: CustomerBook, calendar: BusinessCalendar,
                       business_date: date, now: datetime) -> int:
    """Open tasks follow the customer to its (new) owner; done ones stay with whoever did them.
    Collection due dates are recomputed, since only now may we know the borrower is government-related."""
    tasks = (await session.exec(select(Task).where(Task.cif == book.cif, Task.status.in_(OPEN_STATUSES)))).all()
    for task in tasks:
        task.assignee, task.team, task.unit_path = book.owner, book.owner_team, book.unit_path
        task.customer_ref = book.customer_ref
        task.tier_rank = tier_rank(book.tier)
        if task.rule == LOAN_DUE.name and task.assignee:
            loan_rule = LoanDueRule(lead_days=task.params.get("rule_lead_days", LOAN_DUE.lead_days),
                                    lead_days_government=task.params.get("rule_lead_days_government",
                                                                         LOAN_DUE.lead_days_government))
            task.due_date = loan_rule.due_date(calendar, task.anchor_date, book.government_related, business_date)
            lead = loan_rule.lead_for(book.government_related)
            task.params = {**task.params, "lead_days": lead,
                           "government_note_key": "government" if book.government_related else ""}
        task.updated_at = now
        session.add(task)
    return len(tasks)


async def complete_task(session: AsyncSession, task: Task, outcome: str, *, business_date: date,
                        now: datetime, interaction: str | None = None) -> Task:
    task.status, task.outcome, task.completed_at, task.updated_at = "done", outcome, now, now
    if interaction:  # the visit or call record that did the work
        task.params = {**task.params, "interaction": interaction}
    session.add(task)
    record_event(session, TASKS_TOPIC, "task.completed", TaskCompleted(
        task_id=str(task.id), customer_id=task.cif, assignee=task.assignee, due_date=task.due_date,
        completed_on=business_date, on_time=business_date <= task.due_date),
        subject=task.cif or str(task.id), business_date=business_date, source=SOURCE, now=now)
    await session.commit()
    return task



async def open_tasks(session: AsyncSession, rule: str, subject: str) -> list[Task]:
    return list((await session.exec(select(Task).where(Task.rule == rule, Task.subject == subject,
                                                       Task.status.in_(OPEN_STATUSES)))).all())


async def cancel_task(session: AsyncSession, task: Task, reason: str, *, business_date: date, now: datetime) -> Task:
    """The cause went away (loan repaid, money back, account closed) or a lead withdrew the task."""
    session.add(close_task(task, reason, now))
    record_event(session, TASKS_TOPIC, "task.cancelled", cancelled_event(task, reason),
                 subject=task.cif or str(task.id), business_date=business_date, source=SOURCE, now=now)
    return task


def close_task(task: Task, reason: str, now: datetime) -> Task:
    task.status, task.cancel_reason, task.completed_at, task.updated_at = "cancelled", reason, now, now
    return task


def cancelled_event(task: Task, reason: str) -> TaskCancelled:
    return TaskCancelled(task_id=str(task.id), customer_id=task.cif, assignee=task.assignee, reason=reason)


async def start_task(session: AsyncSession, task: Task, *, now: datetime) -> Task:
    task.status, task.updated_at = "in_progress", now
    session.add(task)
    await session.commit()
    return task

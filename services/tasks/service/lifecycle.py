"""A task's life: made by a rule (new_task, a TaskRow), raised (insert, or refresh the task already on its key),
then open → in_progress → done / cancelled. Each step stages its tasks.events row; none commits."""
import uuid
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import Row
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import OPEN_STATUSES, CustomerBook, Task
from services.tasks.rules import Rule, tier_rank
from services.tasks.service.task_events import announce, cancelled_event, completed_event, created_event
from shared.db import insert


class TaskRow(SimpleNamespace):
    """A task as rules and runs handle it — made by a rule, or read by a run: every column of a Task
    as a plain attribute. A run may touch thousands, and an ORM object costs many times more."""


# A customer's book entry as rules read it: an ORM object, a row read by a run, or a run's plain row.
BookEntry = CustomerBook | Row | SimpleNamespace


def new_task(rule: Rule, *, subject: str, anchor: date, book: BookEntry | None, cif: str | None,
             due_date: date, now: datetime, params: dict, amount: Decimal | None = None,
             source_event_id: str | None = None, risk_rank: int = 9) -> TaskRow:
    """An open task made by `rule` (name and version recorded), routed to the customer's owner when known."""
    return TaskRow(id=uuid.uuid4(), rule=rule.name, rule_version=rule.version, kind=rule.kind,
                   priority=rule.priority, subject=subject, anchor_date=anchor, cif=cif,
                   customer_ref=book.customer_ref if book else None, assignee=book.owner if book else None,
                   team=book.owner_team if book else None, unit_path=book.unit_path if book else "",
                   due_date=due_date, status="open", amount=amount, params=params, source_event_id=source_event_id,
                   outcome=None, cancel_reason=None, copied_to=None, escalated_to=None, escalation_level=0,
                   tier_rank=tier_rank(book.tier if book else None), risk_rank=risk_rank, created_at=now,
                   updated_at=now, completed_at=None)


def refresh_task(existing: Task | TaskRow, task: TaskRow, now: datetime) -> bool:
    """A task raised again for the same (rule, subject, anchor date): a corrected fact (new amount)
    updates the open task in place (True); a done or cancelled one stays as it was."""
    if existing.status not in OPEN_STATUSES:
        return False
    existing.amount, existing.params, existing.updated_at = task.amount, task.params, now
    existing.source_event_id = task.source_event_id
    return True


async def raise_task(session: AsyncSession, task: TaskRow, *, business_date: date, now: datetime) -> Task | TaskRow:
    """One task raised on its own (a lead's ad-hoc task, a scheduled one): insert it, or refresh the task
    its (rule, subject, anchor date) already has. Atomic insert-or-skip on the key, never check-then-insert.
    Runs of events raise theirs through TaskSet instead."""
    inserted = (await session.execute(insert(session, Task).values(**vars(task)).on_conflict_do_nothing(
        index_elements=["rule", "subject", "anchor_date"]).returning(Task.id))).first()
    if inserted:
        announce(session, "task.created", created_event(task), task, business_date=business_date, now=now)
        return task
    existing = (await session.exec(select(Task).where(Task.rule == task.rule, Task.subject == task.subject,
                                                      Task.anchor_date == task.anchor_date))).one()
    if refresh_task(existing, task, now):
        session.add(existing)
    return existing


def close_task(task: Task | TaskRow, reason: str, now: datetime) -> Task | TaskRow:
    task.status, task.cancel_reason, task.completed_at, task.updated_at = "cancelled", reason, now, now
    return task


async def cancel_task(session: AsyncSession, task: Task, reason: str, *, business_date: date, now: datetime) -> Task:
    """A lead withdrew the task (a cause gone away is cancelled by its run, TaskSet.cancel)."""
    session.add(close_task(task, reason, now))
    announce(session, "task.cancelled", cancelled_event(task, reason), task, business_date=business_date, now=now)
    return task


async def complete_task(session: AsyncSession, task: Task, outcome: str, *, business_date: date,
                        now: datetime, interaction: str | None = None) -> Task:
    task.status, task.outcome, task.completed_at, task.updated_at = "done", outcome, now, now
    if interaction:  # the visit or call record that did the work
        task.params = {**task.params, "interaction": interaction}
    session.add(task)
    announce(session, "task.completed", completed_event(task, business_date), task, business_date=business_date,
             now=now)
    return task


async def start_task(session: AsyncSession, task: Task, *, now: datetime) -> Task:
    task.status, task.updated_at = "in_progress", now
    session.add(task)
    return task

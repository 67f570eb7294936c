"""The tasks a run of events may touch, loaded in one query and kept in memory while the run is
applied in event order. raise_/cancel have the same effects (rows, outbox events, their order) as
service.raise_task/cancel_task would have event by event, without a round trip per event: new tasks
are drafts (plain attributes, no ORM object) and, with the run's outbox rows, are written by write(),
one statement each."""
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import or_
from sqlalchemy import select as select_rows
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import OPEN_STATUSES, CustomerBook, Task
from services.tasks.rules import Rule
from services.tasks.service import SOURCE, cancelled_event, close_task, created_event, refresh_task, task_values
from shared.bulk import put_rows
from shared.db import one_of
from shared.events import TASKS_TOPIC, EventData
from shared.outbox import OutboxMessage, outbox_row

CHUNK = 1000  # IN lists stay well under the bind-parameter limits of asyncpg and SQLite


def chunks(values: Iterable, size: int = CHUNK) -> list[list]:
    values = sorted(set(values))
    return [values[i:i + size] for i in range(0, len(values), size)]


async def load_books(session: AsyncSession, cifs: Iterable[str]) -> dict[str, CustomerBook]:
    """The owners of a run's customers; a customer not in the book is absent (unassigned queue).
    Read-only rows with the book's columns as attributes: the run never changes the book, and rows
    cost far less than ORM objects."""
    books: dict[str, CustomerBook] = {}
    table = CustomerBook.__table__
    for part in chunks(cifs):
        rows = await session.execute(select_rows(table).where(one_of(session, table.c.cif, part)))
        books.update((b.cif, b) for b in rows.all())
    return books


class Draft(SimpleNamespace):
    """A task made during the run: the columns of a Task as attributes, at a fraction of the cost of
    an ORM object (a run may make thousands)."""


def draft(rule: Rule, **facts) -> Draft:
    """`make=` for the task builders: the same columns new_task would give."""
    return Draft(**task_values(rule, **facts))


class RunTasks:
    def __init__(self, session: AsyncSession, tasks: Iterable[Task]):
        self.session = session
        self.by_key: dict[tuple, Task | Draft] = {}
        self.by_subject: dict[str, list[Task | Draft]] = defaultdict(list)
        self.drafts: list[Draft] = []
        self.events: list[dict] = []
        for task in tasks:
            self._keep(task)

    @classmethod
    async def load(cls, session: AsyncSession, subjects: Iterable[str], anchors: Iterable[date],
                   rules: Iterable[str] | None = None) -> "RunTasks":
        """The open tasks of `subjects` (causes that may go away) and any task of theirs on one of
        `anchors` (a raise that may meet an existing task)."""
        anchors, tasks = sorted(set(anchors)), []
        for part in chunks(subjects):
            stmt = select(Task).where(one_of(session, Task.subject, part),
                                      or_(Task.status.in_(OPEN_STATUSES), Task.anchor_date.in_(anchors)))
            if rules is not None:
                stmt = stmt.where(Task.rule.in_(list(rules)))
            # creation order stands in for the unordered lookup of the event-by-event path
            tasks += (await session.exec(stmt.order_by(Task.created_at, Task.id))).all()
        return cls(session, tasks)

    def _keep(self, task: Task | Draft) -> None:
        self.by_key[(task.rule, task.subject, task.anchor_date)] = task
        self.by_subject[task.subject].append(task)

    def open(self, subject: str, rule: str | None = None) -> list[Task | Draft]:
        return [t for t in self.by_subject.get(subject, ()) if t.status in OPEN_STATUSES
                and (rule is None or t.rule == rule)]

    def raise_(self, task: Draft, *, business_date: date, now: datetime) -> None:
        """service.raise_task against the run's view: a new key makes the task, a known one refreshes
        it (a loaded task is tracked by the session, a draft is written as it ends up)."""
        existing = self.by_key.get((task.rule, task.subject, task.anchor_date))
        if existing is None:
            self.drafts.append(task)
            self._keep(task)
            self._record("task.created", created_event(task), task, business_date, now)
        else:
            refresh_task(existing, task, now)

    def cancel(self, task: Task | Draft, reason: str, *, business_date: date, now: datetime) -> None:
        close_task(task, reason, now)
        self._record("task.cancelled", cancelled_event(task, reason), task, business_date, now)

    def _record(self, event_type: str, data: EventData, task: Task | Draft, business_date: date,
                now: datetime) -> None:
        """The outbox row record_event would stage; kept in a list so the run's events are written
        together, in the order the event-by-event path would have written them."""
        self.events.append({**outbox_row(TASKS_TOPIC, event_type, data, subject=task.cif or str(task.id),
                                         business_date=business_date, source=SOURCE, now=now), "created_at": now})

    async def write(self) -> None:
        """The run's new tasks and outbox rows, one statement each (loaded tasks flush with the session).
        Both must be new: a task key another writer took meanwhile fails the batch, which is retried."""
        await put_rows(self.session, Task, [vars(d) for d in self.drafts], skip_existing=False)
        await put_rows(self.session, OutboxMessage, self.events, skip_existing=False)

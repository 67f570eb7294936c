"""The tasks a run of events may touch, read in one query and kept in memory while the run is applied
in event order; then written back together. raise_/cancel keep the effects (rows, outbox events, their
order) of raising or cancelling event by event, without a round trip per event: loaded tasks are ORM
rows flushed with the session, new ones NewTasks inserted by write(), one statement for them and one
for the run's outbox rows."""
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import or_
from sqlalchemy import select as select_rows
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import OPEN_STATUSES, CustomerBook, Task
from services.tasks.service.lifecycle import NewTask, close_task, refresh_task
from services.tasks.service.task_events import announcement_row, cancelled_event, created_event
from shared.bulk import put_rows
from shared.db import one_of
from shared.events import EventData
from shared.outbox import OutboxMessage

CHUNK = 1000  # IN lists stay well under the bind-parameter limits of asyncpg and SQLite


def chunks(values: Iterable, size: int = CHUNK) -> list[list]:
    values = sorted(set(values))
    return [values[i:i + size] for i in range(0, len(values), size)]


async def load_books(session: AsyncSession, cifs: Iterable[str]) -> dict[str, CustomerBook]:
    """The owners of a run's customers, as read-only rows; a customer not in the book is absent
    (its tasks wait in the unassigned queue)."""
    books: dict[str, CustomerBook] = {}
    table = CustomerBook.__table__
    for part in chunks(cifs):
        rows = await session.execute(select_rows(table).where(one_of(session, table.c.cif, part)))
        books.update((b.cif, b) for b in rows.all())
    return books


class TaskSet:
    def __init__(self, session: AsyncSession, tasks: Iterable[Task]):
        self.session = session
        self.by_key: dict[tuple, Task | NewTask] = {}
        self.by_subject: dict[str, list[Task | NewTask]] = defaultdict(list)
        self.by_cif: dict[str, list[Task | NewTask]] = defaultdict(list)
        self.new: list[NewTask] = []
        self.announcements: list[dict] = []
        for task in tasks:
            self._keep(task)

    @classmethod
    async def load(cls, session: AsyncSession, subjects: Iterable[str], anchors: Iterable[date],
                   rules: Iterable[str] | None = None) -> "TaskSet":
        """The open tasks of `subjects` (causes that may go away) and any task of theirs on one of
        `anchors` (a raise that may meet an existing task)."""
        return await cls._read(session, Task.subject, subjects, anchors, rules)

    @classmethod
    async def of_customers(cls, session: AsyncSession, cifs: Iterable[str], anchors: Iterable[date]) -> "TaskSet":
        """Every open task of the customers `cifs` (whatever it is about) and any of theirs on `anchors`."""
        return await cls._read(session, Task.cif, cifs, anchors, None)

    @classmethod
    async def _read(cls, session, column, values, anchors, rules) -> "TaskSet":
        anchors, tasks = sorted(set(anchors)), []
        for part in chunks(values):
            stmt = select(Task).where(one_of(session, column, part),
                                      or_(Task.status.in_(OPEN_STATUSES), Task.anchor_date.in_(anchors)))
            if rules is not None:
                stmt = stmt.where(Task.rule.in_(list(rules)))
            tasks += (await session.exec(stmt.order_by(Task.created_at, Task.id))).all()   # oldest first
        return cls(session, tasks)

    def _keep(self, task: Task | NewTask) -> None:
        self.by_key[(task.rule, task.subject, task.anchor_date)] = task
        self.by_subject[task.subject].append(task)
        if task.cif:
            self.by_cif[task.cif].append(task)

    def open(self, subject: str, rule: str | None = None) -> list[Task | NewTask]:
        return [t for t in self.by_subject.get(subject, ()) if t.status in OPEN_STATUSES
                and (rule is None or t.rule == rule)]

    def open_of_customer(self, cif: str) -> list[Task | NewTask]:
        return [t for t in self.by_cif.get(cif, ()) if t.status in OPEN_STATUSES]

    def raise_(self, task: NewTask, *, business_date: date, now: datetime) -> Task | NewTask:
        """A new key makes the task (announced); a known one refreshes the task already there."""
        existing = self.by_key.get((task.rule, task.subject, task.anchor_date))
        if existing is not None:
            refresh_task(existing, task, now)
            return existing
        self.new.append(task)
        self._keep(task)
        self._announce("task.created", created_event(task), task, business_date, now)
        return task

    def cancel(self, task: Task | NewTask, reason: str, *, business_date: date, now: datetime) -> None:
        close_task(task, reason, now)
        self._announce("task.cancelled", cancelled_event(task, reason), task, business_date, now)

    def _announce(self, event_type: str, data: EventData, task, business_date: date, now: datetime) -> None:
        self.announcements.append(announcement_row(event_type, data, task, business_date=business_date, now=now))

    async def write(self) -> None:
        """The run's new tasks and outbox rows, one statement each (loaded tasks flush with the session).
        Both must be new: a task key another writer took meanwhile fails the batch, which is retried."""
        await put_rows(self.session, Task, [vars(t) for t in self.new], skip_existing=False)
        await put_rows(self.session, OutboxMessage, self.announcements, skip_existing=False)

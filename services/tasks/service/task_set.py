"""The tasks a run of events may touch, read in one query and kept in memory while the run is applied
in event order; then written back together. raise_/cancel keep the effects (rows, outbox events, their
order) of raising or cancelling event by event, without a round trip per event. Tasks are plain rows
(an attribute per column), never ORM objects: write() sends the changed ones in one upsert, the new
ones in one insert and the run's outbox rows in one more. One statement per table matters beyond the
round trips: the agenda-version triggers run once per statement (migration 0005), and an UPDATE per
task — a hot account's follow-up refreshed by every inflow — re-versioned its owner's row once each."""
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Row, or_
from sqlalchemy import select as select_rows
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import OPEN_STATUSES, CustomerBook, Task
from services.tasks.service.lifecycle import TaskRow, close_task, refresh_task
from services.tasks.service.task_events import announcement_row, cancelled_event, created_event
from shared.bulk import put_rows
from shared.db import one_of, plain_rows, table_of
from shared.events import EventData
from shared.outbox import OutboxMessage

CHUNK = 1000  # IN lists stay well under the bind-parameter limits of asyncpg and SQLite
TASKS = table_of(Task)


def chunks(values: Iterable, size: int = CHUNK) -> list[list]:
    values = sorted(set(values))
    return [values[i:i + size] for i in range(0, len(values), size)]


async def load_books(session: AsyncSession, cifs: Iterable[str]) -> dict[str, Row]:
    """The owners of a run's customers, as read-only rows; a customer not in the book is absent
    (its tasks wait in the unassigned queue)."""
    books: dict[str, Row] = {}
    table = table_of(CustomerBook)
    for part in chunks(cifs):
        rows = await session.execute(select_rows(table).where(one_of(session, table.c.cif, part)))
        books.update((b.cif, b) for b in rows.all())
    return books


def _as_read(row: dict) -> dict:
    """What a stored task looked like when read (params copied: a change replaces or edits them)."""
    return {**row, "params": dict(row["params"])}


class TaskSet:
    def __init__(self, session: AsyncSession, rows: Iterable[dict]):
        self.session = session
        self.read: dict = {}   # id → the stored task's columns as read, to write back only what changed
        self.by_key: dict[tuple, TaskRow] = {}
        self.by_subject: dict[str, list[TaskRow]] = defaultdict(list)
        self.by_cif: dict[str, list[TaskRow]] = defaultdict(list)
        self.new: list[TaskRow] = []
        self.announcements: list[dict] = []
        for row in rows:
            self.read[row["id"]] = _as_read(row)
            self._keep(TaskRow(**row))

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
        anchors, rows = sorted(set(anchors)), list[dict]()
        for part in chunks(values):
            stmt = select_rows(TASKS).where(one_of(session, column, part),
                                            or_(Task.status.in_(OPEN_STATUSES), Task.anchor_date.in_(anchors)))
            if rules is not None:
                stmt = stmt.where(Task.rule.in_(list(rules)))
            rows += plain_rows(await session.execute(stmt.order_by(Task.created_at, Task.id)))   # oldest first
        return cls(session, rows)

    def _keep(self, task: TaskRow) -> None:
        self.by_key[(task.rule, task.subject, task.anchor_date)] = task
        self.by_subject[task.subject].append(task)
        if task.cif:
            self.by_cif[task.cif].append(task)

    def open(self, subject: str, rule: str | None = None) -> list[TaskRow]:
        return [t for t in self.by_subject.get(subject, ()) if t.status in OPEN_STATUSES
                and (rule is None or t.rule == rule)]

    def open_of_customer(self, cif: str) -> list[TaskRow]:
        return [t for t in self.by_cif.get(cif, ()) if t.status in OPEN_STATUSES]

    def raise_(self, task: TaskRow, *, business_date: date, now: datetime) -> TaskRow:
        """A new key makes the task (announced); a known one refreshes the task already there."""
        existing = self.by_key.get((task.rule, task.subject, task.anchor_date))
        if existing is not None:
            refresh_task(existing, task, now)
            return existing
        self.new.append(task)
        self._keep(task)
        self._announce("task.created", created_event(task), task, business_date, now)
        return task

    def cancel(self, task: TaskRow, reason: str, *, business_date: date, now: datetime) -> None:
        close_task(task, reason, now)
        self._announce("task.cancelled", cancelled_event(task, reason), task, business_date, now)

    def _announce(self, event_type: str, data: EventData, task, business_date: date, now: datetime) -> None:
        self.announcements.append(announcement_row(event_type, data, task, business_date=business_date, now=now))

    async def write(self) -> None:
        """The run's changed tasks, new tasks and outbox rows, one statement each. New rows must be new:
        a task key another writer took meanwhile fails the batch, which is retried."""
        changed = sorted((vars(t) for t in self.by_key.values() if t.id in self.read and vars(t) != self.read[t.id]),
                         key=lambda row: row["id"])   # sorted: one lock order for all writers
        if changed:
            await put_rows(self.session, TASKS, changed, ("id",), update=tuple(c for c in changed[0] if c != "id"))
        await put_rows(self.session, Task, [vars(t) for t in self.new], skip_existing=False)
        await put_rows(self.session, OutboxMessage, self.announcements, skip_existing=False)

"""The tasks a run of events may touch, loaded in one query and kept in memory while the run is
applied in event order. raise_/cancel have the same effects (rows, outbox events, their order) as
service.raise_task/cancel_task would have event by event, without a round trip per event."""
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import OPEN_STATUSES, CustomerBook, Task
from services.tasks.service import cancel_task, record_created, refresh_task

CHUNK = 1000  # IN lists stay well under the bind-parameter limits of asyncpg and SQLite


def chunks(values: Iterable, size: int = CHUNK) -> list[list]:
    values = sorted(set(values))
    return [values[i:i + size] for i in range(0, len(values), size)]


async def load_books(session: AsyncSession, cifs: Iterable[str]) -> dict[str, CustomerBook]:
    """The owners of a run's customers; a customer not in the book is absent (unassigned queue)."""
    books: dict[str, CustomerBook] = {}
    for part in chunks(cifs):
        books.update((b.cif, b) for b in (await session.exec(select(CustomerBook)
                                                               .where(CustomerBook.cif.in_(part)))).all())
    return books


class RunTasks:
    def __init__(self, session: AsyncSession, tasks: Iterable[Task]):
        self.session = session
        self.by_key: dict[tuple, Task] = {}
        self.by_subject: dict[str, list[Task]] = defaultdict(list)
        for task in tasks:
            self._keep(task)

    @classmethod
    async def load(cls, session: AsyncSession, subjects: Iterable[str], anchors: Iterable[date],
                   rules: Iterable[str] | None = None) -> "RunTasks":
        """The open tasks of `subjects` (causes that may go away) and any task of theirs on one of
        `anchors` (a raise that may meet an existing task)."""
        anchors, tasks = sorted(set(anchors)), []
        for part in chunks(subjects):
            stmt = select(Task).where(Task.subject.in_(part),
                                      or_(Task.status.in_(OPEN_STATUSES), Task.anchor_date.in_(anchors)))
            if rules is not None:
                stmt = stmt.where(Task.rule.in_(list(rules)))
            # creation order stands in for the unordered lookup of the event-by-event path
            tasks += (await session.exec(stmt.order_by(Task.created_at, Task.id))).all()
        return cls(session, tasks)

    def _keep(self, task: Task) -> None:
        self.by_key[(task.rule, task.subject, task.anchor_date)] = task
        self.by_subject[task.subject].append(task)

    def open(self, subject: str, rule: str | None = None) -> list[Task]:
        return [t for t in self.by_subject.get(subject, ()) if t.status in OPEN_STATUSES
                and (rule is None or t.rule == rule)]

    def raise_(self, task: Task, *, business_date: date, now: datetime) -> tuple[Task, bool]:
        """service.raise_task against the run's view: insert when the key is new, else refresh."""
        existing = self.by_key.get((task.rule, task.subject, task.anchor_date))
        if existing is None:
            self.session.add(task)
            self._keep(task)
            record_created(self.session, task, business_date=business_date, now=now)
            return task, True
        refresh_task(self.session, existing, task, now)
        return existing, False

    async def cancel(self, task: Task, reason: str, *, business_date: date, now: datetime) -> Task:
        return await cancel_task(self.session, task, reason, business_date=business_date, now=now)

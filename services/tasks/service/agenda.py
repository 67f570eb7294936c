"""The agenda's ranking, in one place: the SQL order and the sentence that explains it.

Order: overdue first and, among the overdue, the more urgent first (priority before days late); then
earlier due date and, within a day, the earlier clock deadline (the 24-hour thank-you); then larger
exposure, better customer tier, worse loan class.
The order is kept in SQL (columns on the task row) so a manager with thousands of open tasks gets a
page without sorting them in Python; each item then says why it is there and why it ranks there.
"""
from collections import OrderedDict
from datetime import date, timedelta

from sqlalchemy import case, not_, or_, select, text

from services.tasks.models import OPEN_STATUSES, CustomerBook, Task
from services.tasks.rules import LOAN_CLASSES, STANDING_ALERTS, TIERS
from services.tasks.schemas import AgendaItem, TaskPublic
from services.tasks.texts import label, rank_text
from shared.clock import BANK_TZ
from shared.db import table_of


def order(day: date) -> tuple:
    """The agenda's SQL order on business date `day`."""
    overdue = Task.due_date < day
    return (case((overdue, 0), else_=1), case((overdue, Task.priority), else_=0), Task.due_date,
            Task.due_at.asc().nulls_last(), Task.amount.desc().nulls_last(), Task.tier_rank, Task.risk_rank, Task.id)


def due_by(day: date) -> tuple:
    """Open tasks due by `day`, those with a clock deadline within a day of it (24 hours from any
    moment of `day` ends tomorrow), and standing alerts raised by `day`."""
    return (Task.status.in_(OPEN_STATUSES),
            or_(Task.due_date <= day, Task.due_at.is_not(None) & (Task.due_date <= day + timedelta(days=1)),
                Task.rule.in_(STANDING_ALERTS) & (Task.anchor_date <= day)))


def due_after(day: date, until: date) -> tuple:
    """Open tasks the day's agenda does not hold yet and that fall due by `until`: the upcoming agenda."""
    return (Task.status.in_(OPEN_STATUSES), Task.due_date > day, Task.due_date <= until, not_(due_by(day)[1]))


def rank_reason(task: Task, rank: int, day: date, viewer: str, english: bool) -> str:
    late = (day - task.due_date).days
    parts = [rank_text("order", english, rank=rank)]
    if task.due_at is not None and late <= 0:
        parts.append(rank_text("due_at", english, at=task.due_at.astimezone(BANK_TZ).strftime("%Y-%m-%d %H:%M")))
    elif late > 0:
        parts.append(rank_text("overdue", english, days=late))
    elif late == 0:
        parts.append(rank_text("due_today", english))
    else:
        parts.append(rank_text("upcoming", english, days=-late))
    if task.amount:
        parts.append(rank_text("amount", english, amount=task.amount))
    if task.tier_rank < len(TIERS):
        parts.append(rank_text("tier", english, tier=label(TIERS[task.tier_rank], english)))
    if task.risk_rank < len(LOAN_CLASSES):
        parts.append(rank_text("risk", english, risk=label(LOAN_CLASSES[len(LOAN_CLASSES) - 1 - task.risk_rank], english)))
    if task.assignee is None:
        parts.append(rank_text("unassigned", english))
    if task.escalated_to and task.assignee != viewer:
        parts.append(rank_text("escalated", english, level=task.escalation_level, assignee=task.assignee))
    if task.copied_to == viewer:
        parts.append(rank_text("copied", english))
    return parts[0] + "".join(parts[1:]).lstrip("；; ")


# Plain rows, not ORM objects: an agenda page is read-only and building 100 tracked instances cost
# more than the query itself (bench/bench_agenda.py). Each row carries its customer's name from the book.
COLUMNS = tuple(table_of(Task).c)
BOOK = table_of(CustomerBook)


def agenda_rows(*where):
    """The agenda's select: the task's columns and the customer's name (`customer_name`)."""
    return (select(*COLUMNS, BOOK.c.name.label("customer_name"))
            .select_from(table_of(Task).outerjoin(BOOK, BOOK.c.cif == table_of(Task).c.cif)).where(*where))


def ranked(rows, day: date, viewer: str, english: bool) -> list[AgendaItem]:
    """Items from trusted rows (our own table), so built without re-validating each field."""
    return [AgendaItem.model_construct(**TaskPublic.fields_of(t, english, t.customer_name), rank=n,
                                       rank_reason=rank_reason(t, n, day, viewer, english))
            for n, t in enumerate(rows, start=1)]


class AgendaCache:
    """Rendered agenda pages of this process (the page's bytes and its ETag), valid while the person's
    agenda version is unchanged (triggers on `task` bump it; migration 0003). Bounded, least recently
    used out first."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.pages: OrderedDict[tuple, tuple[int, tuple[bytes, str]]] = OrderedDict()

    def get(self, key: tuple, version: int) -> tuple[bytes, str] | None:
        hit = self.pages.get(key)
        if hit is None or hit[0] != version:
            return None
        self.pages.move_to_end(key)
        return hit[1]

    def put(self, key: tuple, version: int, page: tuple[bytes, str]) -> None:
        self.pages[key] = (version, page)
        self.pages.move_to_end(key)
        while len(self.pages) > self.size:
            self.pages.popitem(last=False)



async def bump_agendas(session, people) -> None:
    """Invalidate the cached agenda pages of `people` (None skipped) when something a page shows changed
    outside their task rows (the triggers on `task` cover those); in name order, one lock order for all."""
    wanted = sorted({p for p in people if p})
    if wanted:
        await session.execute(text("INSERT INTO agenda_version (username, version) VALUES (:u, 1) "
                                   "ON CONFLICT (username) DO UPDATE SET version = agenda_version.version + 1"),
                              [{"u": p} for p in wanted])


async def agenda_version(session, username: str) -> int:
    result = await session.execute(text("SELECT version FROM agenda_version WHERE username = :u"), {"u": username})
    return result.scalar() or 0

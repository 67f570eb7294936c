"""The tasks service's life-cycle events (task.created / escalated / completed / cancelled): the task
record behind the on-time rate (a task past due and still open counts as late), and the completion's deed.

A run: the ledger insert drops what was applied before; one read of the touched tasks; each event
folded in run order (rules.task_point); one upsert; the deeds of the completions; each assignee's
card stamp moves."""
from collections import Counter

from sqlalchemy import select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.handlers.activity import credit_deeds
from services.appraisal.handlers.ledger import record_facts
from services.appraisal.models import TaskRecord
from services.appraisal.rules import TASK_EVENTS, task_point
from services.appraisal.service.freshness import bump_counts
from shared.bulk import put_rows
from shared.db import one_of, plain_rows
from shared.handlers import Item, deduplicating

TYPES = TASK_EVENTS
COLUMNS = ("assignee", "due_day", "closed_day")


@deduplicating
async def on_task_events(session: AsyncSession, items: list[Item]) -> None:
    items = await record_facts(session, items)
    ids = {i.data.task_id for i in items}
    records: dict[str, dict] = {}
    if ids:
        table = SQLModel.metadata.tables[TaskRecord.__tablename__]
        records = {r["task_id"]: r for r in plain_rows(await session.execute(
            select(table).where(one_of(session, table.c.task_id, ids))))}
    for item in items:
        task_id = item.data.task_id
        records[task_id] = task_point(item.envelope.type, item.data, item.envelope.business_date, records.get(task_id))
    # a task first heard of by its cancellation has no due date: nothing the on-time rate could use
    await put_rows(session, TaskRecord, [r for r in records.values() if r["task_id"] in ids and r["due_day"]],
                   ("task_id",), COLUMNS)
    await credit_deeds(session, items)
    await bump_counts(session, Counter(r["assignee"] for r in records.values() if r["task_id"] in ids
                                       and r["assignee"]))

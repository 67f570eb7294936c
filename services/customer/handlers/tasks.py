"""Task events (tasks service): the open-task read model the departure-handover checklist lists, so
we never ask the tasks service."""
from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import OpenTask
from shared.bulk import put_rows
from shared.events import TaskCancelled, TaskCompleted, TaskCreated
from shared.handlers import Item, batched


@batched
async def on_tasks_created(session: AsyncSession, items: list[Item[TaskCreated]]) -> None:
    """A task already on record stays as first announced (a redelivered or re-sent task.created).
    One statement for the run: an executemany paid a round trip per task."""
    await put_rows(session, OpenTask, [
        {"task_id": i.data.task_id, "cif": i.data.customer_id, "assignee": i.data.assignee, "kind": i.data.kind,
         "due_date": i.data.due_date} for i in items])


@batched
async def on_tasks_closed(session: AsyncSession, items: list[Item[TaskCompleted | TaskCancelled]]) -> None:
    await session.execute(delete(OpenTask).where(OpenTask.task_id.in_({i.data.task_id for i in items})))


TASK_HANDLERS = {
    "task.created": on_tasks_created,
    "task.completed": on_tasks_closed,
    "task.cancelled": on_tasks_closed,
}

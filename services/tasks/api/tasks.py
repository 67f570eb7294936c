"""Task routes: the caller's agenda for a day, task lists in scope, completing a task."""
import base64
import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sqlmodel import and_, or_, select

from services.tasks.models import OPEN_STATUSES, Task
from services.tasks.schemas import Agenda, AgendaItem, TaskCompletion, TaskPage, TaskPublic
from services.tasks.scope import visible_tasks
from services.tasks.service import complete_task
from services.tasks.texts import rank_text
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem, register_messages, wants_english

router = APIRouter(tags=["tasks"])
MAX_PAGE = 200
AGENDA_LIMIT = 500
register_messages({
    "task_closed": ("任务已是 {state} 状态，不能再完成", "The task is already {state}"),
    "not_your_task": ("只有任务执行人或其主管可以完成任务", "Only the assignee or their lead can complete the task"),
})


def _cursor(t: Task) -> str:
    return base64.urlsafe_b64encode(f"{t.due_date.isoformat()}|{t.id}".encode()).decode()


def _after(cursor: str):
    try:
        due, tid = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return date.fromisoformat(due), uuid.UUID(tid)
    except ValueError:
        raise Problem(422, "validation", field="cursor") from None


@router.get("/tasks", response_model=TaskPage)
async def list_tasks(request: Request, user: CurrentUser, session: SessionDep,
                     assignee: Annotated[str | None, Query(description="me, unassigned, or a username")] = None,
                     status: Literal["open", "in_progress", "done", "cancelled"] | None = None,
                     due_before: date | None = None, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
                     cursor: str | None = None):
    stmt = select(Task).where(visible_tasks(user)).order_by(Task.due_date, Task.id).limit(limit + 1)
    if assignee == "unassigned":
        stmt = stmt.where(Task.assignee.is_(None))
    elif assignee:
        stmt = stmt.where(Task.assignee == (user.username if assignee == "me" else assignee))
    if status:
        stmt = stmt.where(Task.status == status)
    if due_before:
        stmt = stmt.where(Task.due_date <= due_before)
    if cursor:
        due, tid = _after(cursor)
        stmt = stmt.where(or_(Task.due_date > due, and_(Task.due_date == due, Task.id > tid)))
    rows = (await session.exec(stmt)).all()
    english = wants_english(request)
    page = rows[:limit]
    return TaskPage(items=[TaskPublic.of(t, english) for t in page],
                    next_cursor=_cursor(page[-1]) if len(rows) > limit else None)


@router.get("/me/agenda", response_model=Agenda, tags=["me"])
async def my_agenda(request: Request, user: CurrentUser, session: SessionDep, day: Annotated[
        date | None, Query(alias="date", description="business date; default today in Beijing time")] = None):
    """Open tasks due by `date`, ranked: overdue first, then due date, urgency, exposure."""
    day = day or business_today()
    rows = (await session.exec(select(Task).where(Task.assignee == user.username, Task.status.in_(OPEN_STATUSES),
                                                  Task.due_date <= day)
                               .order_by(Task.due_date, Task.priority, Task.amount.desc(), Task.id)
                               .limit(AGENDA_LIMIT))).all()
    english = wants_english(request)
    items = []
    for rank, t in enumerate(rows, start=1):
        late = (day - t.due_date).days
        why = rank_text("overdue", english, days=late) if late > 0 else rank_text("due_today", english)
        if t.amount:
            why += rank_text("amount", english, amount=t.amount)
        items.append(AgendaItem(**TaskPublic.of(t, english).model_dump(), rank=rank, rank_reason=why))
    return Agenda(date=day, items=items)


@router.post("/tasks/{task_id}/complete", response_model=TaskPublic)
async def complete(request: Request, task_id: uuid.UUID, body: TaskCompletion, user: CurrentUser, session: SessionDep):
    task = (await session.exec(select(Task).where(Task.id == task_id, visible_tasks(user)))).first()
    if task is None:
        raise Problem(404, "not_found")
    if task.assignee != user.username and not (user.has("team_lead") and task.team == user.team) \
            and not user.has("admin"):
        raise Problem(403, "not_your_task")
    if task.status not in OPEN_STATUSES:
        raise Problem(409, "task_closed", state=task.status)
    task = await complete_task(session, task, body.outcome, business_date=business_today(), now=utcnow())
    events_written(request)
    return TaskPublic.of(task, wants_english(request))

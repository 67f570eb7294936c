"""Task routes: task lists in scope, ad-hoc tasks from leads, and the lifecycle (start, complete, cancel)."""
import base64
import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sqlmodel import and_, or_, select

from services.tasks.models import OPEN_STATUSES, CustomerBook, StaffEntry, Task
from services.tasks.rules import ADHOC, MATURITY_OUTCOMES, needs_maturity_outcome
from services.tasks.schemas import TaskCancel, TaskCompletion, TaskCreate, TaskPage, TaskPublic
from services.tasks.scope import (
    assigns_in_own_team_only,
    may_act_on,
    may_assign_adhoc,
    may_assign_to,
    may_cancel,
    may_see_customer,
    visible_tasks,
)
from services.tasks.service.audit import audit
from services.tasks.service.lifecycle import cancel_task, complete_task, new_task, raise_task, start_task
from services.tasks.service.names import name_of, with_names
from services.tasks.texts import state_label
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem, register_messages, wants_english

router = APIRouter(tags=["tasks"])
MAX_PAGE = 200
register_messages({
    "leads_only": ("只有团队主管可以指派临时任务", "Only a team lead can assign ad-hoc tasks"),
    "not_your_team": ("{assignee} 不在您的团队", "{assignee} is not in your team"),
    "not_in_your_scope": ("{assignee} 不存在、已停用或不在您的管辖范围",
                          "{assignee} is unknown, inactive or outside your scope"),
    "due_in_past": ("截止日期不能早于今天（{today}）", "The due date may not be before today ({today})"),
    "cancel_needs_lead": ("只有主管可以撤销任务", "Only a lead can cancel a task"),
    "task_closed": ("任务{state_zh}，不能再办理", "The task is already {state_en}"),
    "not_your_task": ("只有任务执行人或其主管可以完成任务", "Only the assignee or their lead can complete the task"),
    "maturity_outcome_unasked": ("只有到期催收任务记录到期结果",
                                 "Only a loan-due collection records a maturity outcome"),
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
                     cursor: str | None = None,
                     customer_id: Annotated[str | None, Query(max_length=64, description="one customer's tasks "
                                                              "(the customer service's id)")] = None):
    stmt = (with_names(select(Task)).where(visible_tasks(user)).order_by(Task.due_date, Task.id).limit(limit + 1))
    if customer_id:
        stmt = stmt.where(Task.customer_ref == customer_id)
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
    rows = (await session.execute(stmt)).all()
    english = wants_english(request)
    page = rows[:limit]
    return TaskPage(items=[TaskPublic.of(t, english, name) for t, name in page],
                    next_cursor=_cursor(page[-1][0]) if len(rows) > limit else None)


@router.get("/tasks/{task_id:uuid}", response_model=TaskPublic)   # not /tasks/rules
async def get_task(request: Request, task_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    """One task in the caller's scope (404 otherwise: a task outside it is not known to exist)."""
    row = (await session.execute(with_names(select(Task)).where(Task.id == task_id, visible_tasks(user)))).first()
    if row is None:
        raise Problem(404, "not_found")
    return TaskPublic.of(row[0], wants_english(request), row[1])


@router.post("/tasks", response_model=TaskPublic, status_code=201)
async def assign_adhoc(request: Request, body: TaskCreate, user: CurrentUser, session: SessionDep):
    """A lead gives one of their people a task; `Idempotency-Key` makes a retried request return the first."""
    if not may_assign_adhoc(user):
        raise Problem(403, "leads_only")
    now, today = utcnow(), business_today()
    if body.due_date < today:   # a task born overdue would escalate before anyone saw it
        raise Problem(422, "due_in_past", field="due_date", today=today.isoformat())
    staff = await session.get(StaffEntry, body.assignee)
    if staff is None or not may_assign_to(user, staff):
        code = "not_your_team" if staff and assigns_in_own_team_only(user) else "not_in_your_scope"
        raise Problem(422 if staff is None else 403, code, field="assignee", assignee=body.assignee)
    book = None
    if body.customer_id:
        book = (await session.exec(select(CustomerBook).where(CustomerBook.customer_ref == body.customer_id))).first()
        if book is None or not may_see_customer(user, book.unit_path):
            raise Problem(404, "not_found", field="customer_id")
    key = request.headers.get("Idempotency-Key")
    task = new_task(ADHOC, subject=f"adhoc:{user.username}:{key}" if key else f"adhoc:{uuid.uuid4()}",
                    anchor=body.due_date, book=book, cif=book.cif if book else None, due_date=body.due_date,
                    now=now, params={"title": body.title, "assigned_by": user.username})
    task.assignee, task.team = body.assignee, staff.team if staff and staff.team else user.team
    task.unit_path = book.unit_path if book else (staff.unit_path if staff and staff.unit_path else user.unit_path)
    raised = await raise_task(session, task, business_date=today, now=now)
    audit(session, user, "task.assigned", raised.id, now=now, unit_path=raised.unit_path, assignee=body.assignee,
          title=body.title, due_date=body.due_date, cif=raised.cif)
    await session.commit()
    events_written(request)
    return TaskPublic.of(raised, wants_english(request), book.name if book else None)


async def _actionable(session, user, task_id: uuid.UUID) -> Task:
    """A task the caller may act on: theirs, their team's as lead, escalated to them, or any as admin."""
    task = (await session.exec(select(Task).where(Task.id == task_id, visible_tasks(user)))).first()
    if task is None:
        raise Problem(404, "not_found")
    if not may_act_on(user, task):
        raise Problem(403, "not_your_task")
    if task.status not in OPEN_STATUSES:
        raise Problem(409, "task_closed", state_zh=state_label(task.status, False),
                      state_en=state_label(task.status, True))
    return task


@router.post("/tasks/{task_id}/start", response_model=TaskPublic)
async def start(request: Request, task_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    now = utcnow()
    task = await start_task(session, await _actionable(session, user, task_id), now=now)
    audit(session, user, "task.started", task.id, now=now, unit_path=task.unit_path, rule=task.rule)
    await session.commit()
    return TaskPublic.of(task, wants_english(request), await name_of(session, task.cif))


@router.post("/tasks/{task_id}/cancel", response_model=TaskPublic)
async def cancel(request: Request, task_id: uuid.UUID, body: TaskCancel, user: CurrentUser, session: SessionDep):
    task = await _actionable(session, user, task_id)
    if not may_cancel(user):
        raise Problem(403, "cancel_needs_lead")
    now = utcnow()
    task = await cancel_task(session, task, body.reason, business_date=business_today(), now=now)
    audit(session, user, "task.cancelled", task.id, now=now, unit_path=task.unit_path, rule=task.rule,
          reason=body.reason)
    await session.commit()
    events_written(request)
    return TaskPublic.of(task, wants_english(request), await name_of(session, task.cif))


@router.post("/tasks/{task_id}/complete", response_model=TaskPublic)
async def complete(request: Request, task_id: uuid.UUID, body: TaskCompletion, user: CurrentUser, session: SessionDep):
    task = await _actionable(session, user, task_id)
    # A loan-due collection offers the maturity outcomes (kept with the loan); an app that does not ask
    # for one yet can still complete it, and no other task takes one.
    if body.maturity_outcome and not needs_maturity_outcome(task.rule):
        raise Problem(422, "maturity_outcome_unasked", field="maturity_outcome", outcomes=" / ".join(MATURITY_OUTCOMES))
    now = utcnow()
    task = await complete_task(session, task, body.outcome, business_date=business_today(), now=now,
                               interaction=body.interaction, maturity_outcome=body.maturity_outcome)
    audit(session, user, "task.completed", task.id, now=now, unit_path=task.unit_path, rule=task.rule,
          outcome=body.outcome, maturity_outcome=body.maturity_outcome)
    await session.commit()
    events_written(request)
    return TaskPublic.of(task, wants_english(request), await name_of(session, task.cif))

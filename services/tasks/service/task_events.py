"""What the tasks service announces on tasks.events, and the envelope source it signs them with."""
from datetime import date, datetime
from typing import TYPE_CHECKING

from services.tasks.models import Task
from shared.events import TASKS_TOPIC, EventData, TaskCancelled, TaskCompleted, TaskCreated, TaskEscalated
from shared.outbox import outbox_row, record_event

if TYPE_CHECKING:   # lifecycle imports this module
    from services.tasks.service.lifecycle import TaskRow

SOURCE = "tasks-service"


def created_event(task: "Task | TaskRow") -> TaskCreated:
    return TaskCreated(task_id=str(task.id), kind=task.kind, rule=task.rule, customer_id=task.cif,
                       assignee=task.assignee, due_date=task.due_date)


def cancelled_event(task: "Task | TaskRow", reason: str) -> TaskCancelled:
    return TaskCancelled(task_id=str(task.id), customer_id=task.cif, assignee=task.assignee, reason=reason)


def completed_event(task: Task, business_date: date) -> TaskCompleted:
    return TaskCompleted(task_id=str(task.id), customer_id=task.cif, assignee=task.assignee, due_date=task.due_date,
                         completed_on=business_date, on_time=business_date <= task.due_date)


def escalated_event(task: Task) -> TaskEscalated:
    return TaskEscalated(task_id=str(task.id), customer_id=task.cif, assignee=task.assignee,
                         escalated_to=task.escalated_to, level=task.escalation_level, due_date=task.due_date)


def announce(session, event_type: str, data: EventData, task: "Task | TaskRow", *, business_date: date,
             now: datetime) -> None:
    """Stage the event in the caller's transaction (keyed by the customer, or the task when it has none)."""
    record_event(session, TASKS_TOPIC, event_type, data, subject=task.cif or str(task.id),
                 business_date=business_date, source=SOURCE, now=now)


def announcement_row(event_type: str, data: EventData, task: "Task | TaskRow", *, business_date: date,
                     now: datetime) -> dict:
    """The outbox row announce() would stage, for a run that writes its events in one statement."""
    return {**outbox_row(TASKS_TOPIC, event_type, data, subject=task.cif or str(task.id),
                         business_date=business_date, source=SOURCE, now=now), "created_at": now}

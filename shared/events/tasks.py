"""What the tasks service publishes: the life of a task, and the bank's edits to its business-day calendar."""
from datetime import date

from shared.events.envelope import EventData


class TaskCreated(EventData):
    task_id: str
    kind: str
    rule: str
    customer_id: str | None
    assignee: str | None
    due_date: date


class TaskCompleted(EventData):
    task_id: str
    customer_id: str | None
    assignee: str | None
    due_date: date
    completed_on: date
    on_time: bool
    maturity_outcome: str | None = None   # a loan-due collection's end: collected / renewed / extended / …


class TaskCancelled(EventData):
    task_id: str
    customer_id: str | None
    assignee: str | None
    reason: str


class TaskEscalated(EventData):
    task_id: str
    customer_id: str | None
    assignee: str | None
    escalated_to: str | None     # username of the lead, None when the team has no lead on record
    level: int                   # 1 = first day past due; +1 for each further business day
    due_date: date


class CalendarChanged(EventData):
    """An administrator set (or removed) the bank's override of one day of the business-day calendar."""
    day: date
    business_day: bool | None    # None: the override is removed; the day follows China's public calendar again
    reason: str | None = None    # the administrator's note (e.g. "branch closed: typhoon")

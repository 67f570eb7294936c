"""What the tasks API gives and takes."""
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.tasks.models import Task
from services.tasks.texts import cancel_text, render

if TYPE_CHECKING:   # lifecycle's rows are shown like tasks
    from services.tasks.service.lifecycle import TaskRow


class TaskPublic(BaseModel):
    id: uuid.UUID
    kind: str
    rule: str
    rule_version: int
    title: str
    reason: str
    customer_id: str | None = Field(description="the customer service's id of the customer")
    cif: str | None
    assignee: str | None
    due_date: date
    priority: int
    status: str
    amount: Decimal | None
    source_event_id: str | None
    outcome: str | None
    cancel_reason: str | None = Field(default=None, description="why the task closed itself, in words")
    escalated_to: str | None = None
    escalation_level: int = 0
    copied_to: str | None = None
    created_at: datetime

    @classmethod
    def of(cls, t: "Task | TaskRow", english: bool) -> "TaskPublic":
        return cls(**cls.fields_of(t, english))

    @staticmethod
    def fields_of(t: "Task | TaskRow", english: bool) -> dict:
        """The public fields of a task (an ORM object or a plain row with the same columns)."""
        title, reason = render(t.rule, t.params, english)
        return dict(id=t.id, kind=t.kind, rule=t.rule, rule_version=t.rule_version, title=title, reason=reason,
                   customer_id=t.customer_ref, cif=t.cif, assignee=t.assignee, due_date=t.due_date,
                   priority=t.priority, status=t.status, amount=t.amount, source_event_id=t.source_event_id,
                   outcome=t.outcome, cancel_reason=cancel_text(t.cancel_reason, english),
                   escalated_to=t.escalated_to, escalation_level=t.escalation_level, copied_to=t.copied_to,
                   created_at=t.created_at)


class AgendaItem(TaskPublic):
    rank: int
    rank_reason: str


class Agenda(BaseModel):
    date: date
    items: list[AgendaItem]


class TeamAgenda(Agenda):
    team: str
    unassigned: list[AgendaItem] = Field(description="the unit's queue: tasks of customers nobody owns yet")


class TaskPage(BaseModel):
    items: list[TaskPublic]
    next_cursor: str | None


class TaskCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Annotated[str, Field(min_length=1, max_length=2000)]
    interaction: str | None = Field(default=None, max_length=64, description="id of the visit/call record")


class TaskCreate(BaseModel):
    """An ad-hoc task a lead assigns (contract: assignee, title, due_date, optional customer_id)."""
    model_config = ConfigDict(extra="forbid")
    assignee: Annotated[str, Field(min_length=1, max_length=64)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    due_date: date
    customer_id: str | None = Field(default=None, max_length=64, description="the customer service's id")


class TaskCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class RulePublic(BaseModel):
    name: str
    version: int
    kind: str
    priority: int
    params: dict[str, int | float]


class RuleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    params: dict[str, Annotated[float, Field(ge=0)]]


class CalendarDay(BaseModel):
    day: date
    business_day: bool
    note: str | None = Field(default=None, max_length=200)

"""What the tasks API gives and takes."""
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.tasks.models import Task
from services.tasks.texts import render


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
    created_at: datetime

    @classmethod
    def of(cls, t: Task, english: bool) -> "TaskPublic":
        title, reason = render(t.rule, t.params, english)
        return cls(id=t.id, kind=t.kind, rule=t.rule, rule_version=t.rule_version, title=title, reason=reason,
                   customer_id=t.customer_ref, cif=t.cif, assignee=t.assignee, due_date=t.due_date,
                   priority=t.priority, status=t.status, amount=t.amount, source_event_id=t.source_event_id,
                   outcome=t.outcome, created_at=t.created_at)


class AgendaItem(TaskPublic):
    rank: int
    rank_reason: str


class Agenda(BaseModel):
    date: date
    items: list[AgendaItem]


class TaskPage(BaseModel):
    items: list[TaskPublic]
    next_cursor: str | None


class TaskCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Annotated[str, Field(min_length=1, max_length=2000)]
    interaction: str | None = Field(default=None, max_length=64, description="id of the visit/call record")

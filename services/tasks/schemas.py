"""What the tasks API gives and takes."""
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.tasks.models import Task
from services.tasks.rules import MATURITY_OUTCOMES, MaturityOutcome, needs_maturity_outcome
from services.tasks.texts import cancel_text, render, render_letter

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
    customer_name: str | None = Field(default=None, description="the customer's name, as registered (names are "
                                      "not masked; ID numbers and phones are, and tasks carry neither)")
    assignee: str | None
    due_date: date
    due_at: datetime | None = Field(default=None, description="a clock-hour deadline (e.g. the 24-hour thank-you)")
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
    plan: list[dict] | None = Field(default=None, description="a maintenance plan's customers: cif, band, "
                                    "last_contact, contact_due")
    letter: str | None = Field(default=None, description="the drafted thank-you letter, ready to send")
    maturity_outcome: str | None = Field(default=None, description="how a loan-due collection ended")
    maturity_outcomes: list[str] = Field(default=[], description="the outcomes completing this task offers (a "
                                         "loan-due collection: collected, renewed, extended, handed_to_collection)")

    @classmethod
    def of(cls, t: "Task | TaskRow", english: bool, name: str | None = None) -> "TaskPublic":
        return cls(**cls.fields_of(t, english, name))

    @staticmethod
    def fields_of(t: "Task | TaskRow", english: bool, name: str | None = None) -> dict:
        """The public fields of a task (an ORM object or a plain row with the same columns); `name` is the
        customer's, from the customer book."""
        title, reason = render(t.rule, t.params, english)
        letter = render_letter(t.params, english) if t.params.get("letter") else None
        return dict(id=t.id, kind=t.kind, rule=t.rule, rule_version=t.rule_version, title=title, reason=reason,
                   customer_id=t.customer_ref, cif=t.cif, customer_name=name, assignee=t.assignee, due_date=t.due_date,
                   priority=t.priority, status=t.status, amount=t.amount, source_event_id=t.source_event_id,
                   outcome=t.outcome, cancel_reason=cancel_text(t.cancel_reason, english),
                   escalated_to=t.escalated_to, escalation_level=t.escalation_level, copied_to=t.copied_to,
                   created_at=t.created_at, due_at=t.due_at, plan=t.params.get("customers"), letter=letter,
                   maturity_outcome=t.params.get("maturity_outcome"),
                   maturity_outcomes=list(MATURITY_OUTCOMES) if needs_maturity_outcome(t.rule) else [])


class AgendaItem(TaskPublic):
    rank: int
    rank_reason: str


class AppointmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    rm: str
    customer_id: str | None = Field(validation_alias="customer_ref", description="the customer service's id")
    cif: str
    starts_at: datetime
    ends_at: datetime
    place: str
    purpose: str
    status: str = Field(description="booked, kept (an interaction logged that day), missed or cancelled")
    booked_by: str


class Agenda(BaseModel):
    date: date
    items: list[AgendaItem]
    appointments: list[AppointmentPublic] = Field(default=[], description="the day's booked appointments, by time")


class UpcomingAgenda(BaseModel):
    """The coming days' open tasks: due after `date` (today's agenda holds those due by it) up to `until`."""
    until: date = Field(description="the last calendar day included")
    date: date
    items: list[AgendaItem] = Field(description="open tasks due after `date` up to `until`, by due date")


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
    maturity_outcome: MaturityOutcome | None = Field(
        default=None, description="a loan-due collection's end, offered, not forced: collected, renewed "
                                  "(借新还旧), extended, handed_to_collection")


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


class AppointmentCreate(BaseModel):
    customer_id: str = Field(min_length=1, max_length=64, description="the customer service's id of the customer")
    starts_at: datetime
    ends_at: datetime
    place: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=500)
    rm: str | None = Field(default=None, max_length=64, description="a lead books for an RM of the team")


class PlanItem(BaseModel):
    kind: Literal["task", "appointment"]
    id: uuid.UUID
    note: str | None = Field(default=None, max_length=500)


class DayPlanUpdate(BaseModel):
    items: list[PlanItem] = Field(max_length=100)
    note: str | None = Field(default=None, max_length=2000)


class DayPlanPublic(DayPlanUpdate):
    date: date
    rm: str
    tasks: list[TaskPublic] = Field(default=[], description="the planned tasks, in plan order")
    appointments: list[AppointmentPublic] = Field(default=[], description="the planned appointments, in plan order")


class SummaryUpdate(BaseModel):
    notes: str = Field(min_length=1, max_length=4000)


class SummaryPublic(BaseModel):
    rm: str
    period: str = Field(description="YYYY-MM-DD (daily) or YYYY-Www (weekly)")
    status: Literal["draft", "submitted"]
    notes: str = ""
    submitted_at: datetime | None = None
    content: dict = Field(description="what the period held: tasks completed, appointments, interactions, "
                                      "marketing results, premium accounts opened and closed")


class SummaryStatus(BaseModel):
    rm: str
    period: str
    submitted: bool
    due_by: date = Field(description="the next business morning after the period")
    late: bool = Field(description="not submitted and the morning it was due has come")


class AuditPublic(BaseModel):
    """One entry of the tasks service's audit trail."""
    model_config = ConfigDict(from_attributes=True)
    seq: int
    at: datetime
    actor: str
    action: str = Field(description="e.g. task.completed, appointment.booked, day_plan.saved, summary.submitted")
    subject: str = Field(description="the task or appointment id, `rm:date` of a plan or summary, a rule's name")
    unit_path: str
    request_id: str | None
    detail: dict

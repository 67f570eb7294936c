"""What the customer service publishes about the bank's controls: credit files, complaints, call-backs.
The tasks service turns deadlines and call-backs into tasks; appraisal may count complaints the RM was found
responsible for and call-back satisfaction."""
from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from shared.events.envelope import EventData
from shared.events.values import Balance, Cif


class CreditApplicationReady(EventData):
    """限时服务: the file is complete; it must reach review by due_on (business days from ready_on)."""
    application_id: str
    customer_id: Cif
    rm: str
    team: str | None
    unit_path: str
    amount: Balance
    ready_on: date
    due_on: date


class CreditApplicationSubmitted(EventData):
    application_id: str
    customer_id: Cif
    rm: str
    risk_manager: str
    submitted_on: date


class CreditSubmissionLate(EventData):
    """A ready file not yet submitted past its due date: one event per business day late (level)."""
    application_id: str
    customer_id: Cif
    rm: str
    escalated_to: str | None
    level: int
    due_on: date


class ComplaintFiled(EventData):
    complaint_id: str
    customer_id: Cif
    handler: str | None           # the lead it is pooled with (never the staff member it is about)
    about: str | None
    severity: Literal["high", "medium", "low"]
    unit_path: str
    due_on: date


class ComplaintEscalated(EventData):
    complaint_id: str
    customer_id: Cif
    escalated_to: str | None      # the branch head
    due_on: date


class ComplaintResolved(EventData):
    """分清责任: counts against responsible_staff's card (appraisal's responsible_complaints) only when responsible is "rm"."""
    complaint_id: str
    customer_id: Cif
    responsible: Literal["rm", "staff", "bank", "customer", "none"]
    responsible_staff: str | None  # counts against this RM's card only when responsible is "rm"
    resolved_on: date


class CallbackRequested(EventData):
    """回访: a customer drawn for an independent call-back by someone other than their RM."""
    callback_id: str
    customer_id: Cif
    rm: str
    assignee: str | None
    unit_path: str
    due_on: date


class CallbackRecorded(EventData):
    """The call-back's result: a reached customer's satisfaction feeds the RM's qualitative item customer_satisfaction."""
    callback_id: str
    customer_id: Cif
    rm: str | None
    caller: str
    reached: bool
    satisfaction: Annotated[int, Field(ge=1, le=5)] | None
    issues_found: bool


CONTROL_TYPES: dict[str, type[EventData]] = {
    "credit.application-ready": CreditApplicationReady,
    "credit.application-submitted": CreditApplicationSubmitted,
    "credit.submission-late": CreditSubmissionLate,
    "complaint.filed": ComplaintFiled,
    "complaint.escalated": ComplaintEscalated,
    "complaint.resolved": ComplaintResolved,
    "callback.requested": CallbackRequested,
    "callback.recorded": CallbackRecorded,
}

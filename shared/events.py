"""The event envelope of contract.md and every event type on the wire, as validated classes.

Core-banking types are the contract's; our own (customer.*, task.*) are additive. Money is a
Decimal parsed from a decimal string with at most 2 places — a JSON number is refused, because a
float has already lost the cents by the time we see it.
"""
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, Union

from pydantic import (AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, GetPydanticSchema, StrictBool,
                      StrictInt, TypeAdapter, ValidationError, create_model)
from pydantic_core import core_schema

LOANS_TOPIC = "corebanking.loans"
DEPOSITS_TOPIC = "corebanking.deposits"
CUSTOMER_TOPIC = "customer.events"
TASKS_TOPIC = "tasks.events"
APPRAISAL_TOPIC = "appraisal.events"
ALL_TOPICS = (LOANS_TOPIC, DEPOSITS_TOPIC, CUSTOMER_TOPIC, TASKS_TOPIC, APPRAISAL_TOPIC)


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def _money(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError("money must be a decimal string such as \"1200000.00\"")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise ValueError(f"money has at most 2 decimals: {value!r}")
    return amount


Money = Annotated[Decimal, BeforeValidator(_money)]
Cif = Annotated[str, Field(min_length=1, max_length=32)]
LoanClass = Literal["normal", "special_mention", "substandard", "doubtful", "loss"]
DepositProduct = Literal["demand", "time", "savings", "margin", "wealth"]


class EventData(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, Field(min_length=1, max_length=128)]
    type: str
    version: StrictInt
    source: Annotated[str, Field(min_length=1)]
    occurred_at: AwareDatetime
    business_date: date
    subject: Annotated[str, Field(min_length=1, max_length=64)]
    data: dict[str, Any]
    request_id: str | None = None  # additive: lets one request be followed across services


# --- core banking (inbound) -------------------------------------------------------------------
class LoanDisbursed(EventData):
    loan_id: str
    customer_id: Cif
    product: str
    principal: Money
    currency: Literal["CNY"]
    disbursed_on: date
    maturity_date: date
    government_related: StrictBool
    classification: LoanClass


class LoanDue(EventData):
    loan_id: str
    customer_id: Cif
    due_date: date
    principal_due: Money
    interest_due: Money
    outstanding_balance: Money


class LoanRepaid(EventData):
    loan_id: str
    customer_id: Cif
    repaid_on: date
    principal_paid: Money
    interest_paid: Money
    outstanding_balance: Money


class LoanOverdue(EventData):
    loan_id: str
    customer_id: Cif
    as_of: date
    days_overdue: Annotated[StrictInt, Field(ge=0)]
    overdue_principal: Money
    overdue_interest: Money


class LoanClassified(EventData):
    loan_id: str
    customer_id: Cif
    as_of: date
    from_class: LoanClass
    to_class: LoanClass


class DepositOpened(EventData):
    account_id: str
    customer_id: Cif
    product: DepositProduct
    currency: Literal["CNY"]
    opened_on: date
    maturity_date: date | None = None


class DepositChanged(EventData):
    account_id: str
    customer_id: Cif
    product: DepositProduct
    currency: Literal["CNY"]
    amount: Money
    balance: Money
    channel: str | None = None


class DepositClosed(EventData):
    account_id: str
    customer_id: Cif
    closed_on: date


# --- our own (outbound from the services) -------------------------------------------------------
class CustomerRegistered(EventData):
    customer_id: Cif
    customer_ref: str            # the customer service's id, for links in the apps
    name: str
    kind: Literal["retail", "corporate"]
    government_related: bool
    unit: str
    unit_path: str
    birthday: date | None = None  # additive: retail customers' birthday greeting schedule


class CustomerAssigned(EventData):
    customer_id: Cif
    customer_ref: str
    role: Literal["A", "B"]
    owner: str | None            # username; None when the customer is left unowned
    owner_team: str | None
    unit: str
    unit_path: str
    previous_owner: str | None
    effective_from: AwareDatetime
    reason: str | None = None
    government_related: bool


class CustomerTierChanged(EventData):
    customer_id: Cif
    customer_ref: str
    kind: Literal["retail", "corporate"]
    from_tier: str
    to_tier: str
    owner: str | None
    basis: dict[str, str] = {}   # the figures the tier was computed from, e.g. {"aum": "1200000.00"}


class CustomerContactChanged(EventData):
    """A key contact (finance director…) added, changed or removed: it restarts marketing."""
    customer_id: Cif
    customer_ref: str
    contact_name: str
    contact_role: str
    change: Literal["added", "changed", "removed"]
    owner: str | None


class CustomerWon(EventData):
    customer_id: Cif
    customer_ref: str
    owner: str | None
    source_channel: str | None = None


class InteractionLogged(EventData):
    interaction_id: str
    customer_id: Cif
    customer_ref: str
    rm: str                      # username of the manager who logged it
    channel: Literal["visit", "phone", "email", "surprise_visit"]
    occurred_on: date
    task_id: str | None = None


class StaffChanged(EventData):
    """Who is who, for services that need it without asking (escalation targets, appraisal scope)."""
    username: str
    display_name: str
    roles: list[str]
    unit: str
    unit_path: str
    team: str | None
    grade: str | None
    active: bool


class SessionRevoked(EventData):
    """A sign-in session ended (logout, refresh-token reuse): its access tokens are void until expires_at."""
    username: str
    session_id: str
    reason: Literal["logout", "refresh_reuse", "staff_deactivated"]
    expires_at: AwareDatetime


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


class ScoringRequested(EventData):
    """Appraisal asks an evaluator to score qualitative items (the tasks service can make it a task)."""
    plan_id: str
    evaluator: str               # username who scores
    subject: str                 # username of the RM being scored
    period: str                  # "YYYY-MM"
    items: list[str]             # item codes of the qualitative library
    due_date: date


class PeriodClosed(EventData):
    """An appraisal period's scorecards are frozen (status closed); totals and grades are in the snapshot."""
    period: str
    scorecards: int
    flagged: list[str]           # usernames in the bottom band (末尾), for HR follow-up
    kpi_version: int


EVENT_TYPES: dict[tuple[str, int], type[EventData]] = {
    ("loan.disbursed", 1): LoanDisbursed,
    ("loan.due", 1): LoanDue,
    ("loan.repaid", 1): LoanRepaid,
    ("loan.overdue", 1): LoanOverdue,
    ("loan.classified", 1): LoanClassified,
    ("deposit.opened", 1): DepositOpened,
    ("deposit.changed", 1): DepositChanged,
    ("deposit.closed", 1): DepositClosed,
    ("customer.registered", 1): CustomerRegistered,
    ("customer.assigned", 1): CustomerAssigned,
    ("customer.tier-changed", 1): CustomerTierChanged,
    ("customer.contact-changed", 1): CustomerContactChanged,
    ("customer.won", 1): CustomerWon,
    ("interaction.logged", 1): InteractionLogged,
    ("staff.changed", 1): StaffChanged,
    ("session.revoked", 1): SessionRevoked,
    ("task.created", 1): TaskCreated,
    ("task.completed", 1): TaskCompleted,
    ("task.cancelled", 1): TaskCancelled,
    ("task.escalated", 1): TaskEscalated,
    ("appraisal.scoring-requested", 1): ScoringRequested,
    ("appraisal.period-closed", 1): PeriodClosed,
}
CORE_BANKING_TYPES = frozenset(t for t, _ in list(EVENT_TYPES)[:8])


class InvalidEvent(Exception):
    """A message that can never be processed; it goes to the dead-letter topic with this reason."""


def _describe(err: ValidationError, prefix: str) -> str:
    return "; ".join(f"{prefix}{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())


def _typed(event_type: str, model: type[EventData]) -> type[Envelope]:
    return create_model(f"{model.__name__}Envelope", __base__=Envelope, type=(Literal[event_type], ...),
                        data=(model, ...))


# Money in its usual form — a string of digits with at most two decimals — checked and converted in
# pydantic's core, with no call into Python: _money ran twice per deposit movement, and without it a
# parse takes 17 % fewer instructions (callgrind). Only the one-pass path below uses it; any other form
# (or a refusal) goes the step-by-step way, where _money accepts what it accepts and says why it refuses
# the rest.
_PLAIN_MONEY = Annotated[Decimal, GetPydanticSchema(lambda _type, _handler: core_schema.chain_schema(
    [core_schema.str_schema(pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$"), core_schema.decimal_schema()]))]


def _is_money(field) -> bool:
    return any(isinstance(m, BeforeValidator) and m.func is _money for m in field.metadata)


def _plain_money(model: type[EventData]) -> type[EventData]:
    """`model` with its money fields in the one-pass form (a subclass: isinstance holds for handlers)."""
    money = {name: (_PLAIN_MONEY, ...) for name, field in model.model_fields.items() if _is_money(field)}
    return create_model(model.__name__, __base__=model, **money) if money else model


_ONE_PASS_TYPES = {key: _plain_money(m) for key, m in EVENT_TYPES.items()
                   if [t for t, _ in EVENT_TYPES].count(key[0]) == 1}
# Envelope and data in one pass of pydantic's core, picked by `type`: a third of what parsing cost a
# consumer. What it refuses (or a version it does not know) takes the step-by-step path below, which
# says precisely why.
_IN_ONE_PASS = TypeAdapter(Annotated[Union[tuple(_typed(t, m) for (t, _), m in _ONE_PASS_TYPES.items())],
                                     Field(discriminator="type")])


def parse_event(value: bytes | str) -> tuple[Envelope, EventData]:
    """Validate one message against the envelope and its type's schema, or raise InvalidEvent."""
    try:
        envelope = _IN_ONE_PASS.validate_json(value)
    except ValidationError:
        return _parse_step_by_step(value)
    if _ONE_PASS_TYPES.get((envelope.type, envelope.version)) is not type(envelope.data):
        return _parse_step_by_step(value)
    return _same_customer(envelope, envelope.data)


def _parse_step_by_step(value: bytes | str) -> tuple[Envelope, EventData]:
    try:
        envelope = Envelope.model_validate_json(value)
    except ValidationError as err:
        if any(e["type"] == "json_invalid" for e in err.errors()):
            raise InvalidEvent("not valid JSON") from None
        raise InvalidEvent(_describe(err, "")) from None
    model = EVENT_TYPES.get((envelope.type, envelope.version))
    if model is None:
        known = {t for t, _ in EVENT_TYPES}
        what = "version" if envelope.type in known else "type"
        raise InvalidEvent(f"unknown {what}: {envelope.type} v{envelope.version}")
    try:
        data = model.model_validate(envelope.data)
    except ValidationError as err:
        raise InvalidEvent(_describe(err, "data.")) from None
    return _same_customer(envelope, data)


def _same_customer(envelope: Envelope, data: EventData) -> tuple[Envelope, EventData]:
    customer = getattr(data, "customer_id", None)
    if envelope.type in CORE_BANKING_TYPES and customer != envelope.subject:
        raise InvalidEvent(f"subject {envelope.subject!r} differs from data.customer_id {customer!r}")
    return envelope, data


def envelope_for(event_type: str, data: EventData, *, event_id: str, source: str, subject: str,
                 business_date: date, occurred_at: datetime, request_id: str | None = None) -> dict:
    """The wire form of one of our events (JSON-ready: Decimal and dates as strings)."""
    return {
        "id": event_id, "type": event_type, "version": 1, "source": source,
        "occurred_at": occurred_at.isoformat().replace("+00:00", "Z"),
        "business_date": business_date.isoformat(), "subject": subject,
        "data": data.model_dump(mode="json"), "request_id": request_id,
    }

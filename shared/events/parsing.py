"""Every event type on the wire by (type, version), and the one way a message becomes a typed event.

parse_event validates the envelope and the type's data in one pass of pydantic's core when it can (no
Python between envelope and data); what that refuses goes the step-by-step way, which says precisely
why. Every consumer parses with this function, so an event is applied by all of them or
dead-lettered by all of them.
"""
import os
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import cache
from typing import Annotated, Literal, Union, get_args

from pydantic import Field, TypeAdapter, ValidationError, create_model

from shared.events.appraisal import PeriodClosed, ScoringRequested
from shared.events.controls import CONTROL_TYPES
from shared.events.core_banking import CORE_BANKING_TYPES
from shared.events.customer import (
    CustomerAssigned,
    CustomerChanged,
    CustomerContactChanged,
    CustomerRegistered,
    CustomerTierChanged,
    CustomerWon,
    InteractionLogged,
    SessionRevoked,
    StaffChanged,
)
from shared.events.envelope import Envelope, EventData
from shared.events.rm_day import MarketingResultConfirmed, MarketingResultRegistered
from shared.events.tasks import CalendarChanged, TaskCancelled, TaskCompleted, TaskCreated, TaskEscalated
from shared.events.values import money_kind, plain_money_schema

EVENT_TYPES: dict[tuple[str, int], type[EventData]] = {
    **{(event_type, 1): model for event_type, model in CORE_BANKING_TYPES.items()},
    ("customer.registered", 1): CustomerRegistered,
    ("customer.assigned", 1): CustomerAssigned,
    ("customer.changed", 1): CustomerChanged,
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
    ("calendar.changed", 1): CalendarChanged,
    ("appraisal.scoring-requested", 1): ScoringRequested,
    ("appraisal.period-closed", 1): PeriodClosed,
    **{(event_type, 1): model for event_type, model in CONTROL_TYPES.items()},
    ("marketing-result.registered", 1): MarketingResultRegistered,
    ("marketing-result.confirmed", 1): MarketingResultConfirmed,
}
# How far a date in an event may lie from its business date (and the business date from the moment
# it occurred): a year-9999 maturity accepted by every consumer once stopped the scheduler for everyone.
DATE_WINDOW_YEARS = int(os.environ.get("EVENT_DATE_WINDOW_YEARS", "50"))
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=timezone.utc), datetime(2200, 1, 1, tzinfo=timezone.utc)


class InvalidEvent(Exception):
    """A message that can never be processed; it goes to the dead-letter topic with this reason."""


def _describe(err: ValidationError, prefix: str) -> str:
    return "; ".join(f"{prefix}{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())


def _typed(event_type: str, model: type[EventData]) -> type[Envelope]:
    # A Literal of a run-time value: valid for pydantic, beyond what a static checker can follow.
    return create_model(f"{model.__name__}Envelope", __base__=Envelope,
                        type=(Literal[event_type], ...), data=(model, ...))  # type: ignore[arg-type]


def _plain_money(model: type[EventData]) -> type[EventData]:
    """`model` with its money fields in the one-pass form (a subclass: isinstance holds for handlers)."""
    money = {name: (Annotated[Decimal, plain_money_schema(kind == "signed")], ...)
             for name, field in model.model_fields.items() if (kind := money_kind(field))}
    return create_model(model.__name__, __base__=model, **money) if money else model  # type: ignore[call-overload]


_ONE_PASS_TYPES = {key: _plain_money(m) for key, m in EVENT_TYPES.items()
                   if [t for t, _ in EVENT_TYPES].count(key[0]) == 1}
_IN_ONE_PASS: TypeAdapter[Envelope] = TypeAdapter(  # a union built at run time: see _typed
    Annotated[Union[tuple(_typed(t, m) for (t, _), m in _ONE_PASS_TYPES.items())],  # type: ignore[arg-type]
              Field(discriminator="type")])


# A NUL character, or half of a surrogate pair, written as a JSON escape (an escape's backslash not itself
# escaped): valid JSON, but text no PostgreSQL column can store — a service that keeps the field would
# fail on it while the others apply the event. Looked for only in messages with an escape at all (a
# deposit movement has none).
_UNSTORABLE = re.compile(
    rb"(?<!\\)(?:\\\\)*\\u(?:0000|[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F]))"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)(?:\\\\)*\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def parse_event(value: bytes | str) -> tuple[Envelope, EventData]:
    """Validate one message against the envelope and its type's schema, or raise InvalidEvent."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    if b"\\u" in raw and _UNSTORABLE.search(raw):
        raise InvalidEvent("text holds a NUL character or an unpaired surrogate, which cannot be stored")
    try:
        envelope = _IN_ONE_PASS.validate_json(value)
    except ValidationError:
        return _parse_step_by_step(value)
    if _ONE_PASS_TYPES.get((envelope.type, envelope.version)) is not type(envelope.data):
        return _parse_step_by_step(value)
    return _checked(envelope, envelope.data)


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
    return _checked(envelope, data)


@cache
def _date_fields(model: type[EventData]) -> tuple[str, ...]:
    return tuple(name for name, field in model.model_fields.items()
                 if field.annotation is date or date in get_args(field.annotation))


def _checked(envelope: Envelope, data: EventData) -> tuple[Envelope, EventData]:
    """What one field's type cannot say: core banking's subject is the CIF in the data, and the dates
    lie within the window around the business date."""
    if envelope.type in CORE_BANKING_TYPES and data.customer_id != envelope.subject:  # type: ignore[attr-defined]
        raise InvalidEvent(f"subject {envelope.subject!r} differs from data.customer_id "
                           f"{data.customer_id!r}")  # type: ignore[attr-defined]
    if not EARLIEST <= envelope.occurred_at < LATEST:
        raise InvalidEvent(f"occurred_at: {envelope.occurred_at.isoformat()} is outside {EARLIEST.year}–{LATEST.year}")
    window = round(DATE_WINDOW_YEARS * 365.2425)
    if abs(envelope.business_date.toordinal() - envelope.occurred_at.date().toordinal()) > window:
        raise InvalidEvent(f"business_date: {envelope.business_date} is more than {DATE_WINDOW_YEARS} years "
                           f"from occurred_at")
    for name in _date_fields(type(data)):
        value = getattr(data, name)
        if value is not None and abs(value.toordinal() - envelope.business_date.toordinal()) > window:
            raise InvalidEvent(f"data.{name}: {value} is more than {DATE_WINDOW_YEARS} years from the business date")
    return envelope, data

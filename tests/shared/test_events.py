"""The wire contract: every core-banking type validates into typed data; bad messages say why."""
import json
from datetime import date
from decimal import Decimal

import pytest

from shared.events import CORE_BANKING_TYPES, InvalidEvent, LoanDue, parse_event
from tests.support import core_event

CIF = "C000123"
SAMPLES = {
    "loan.disbursed": {"loan_id": "L1", "customer_id": CIF, "product": "working_capital", "principal": "1200000.00",
                       "currency": "CNY", "disbursed_on": "2026-11-01", "maturity_date": "2027-11-01",
                       "government_related": False, "classification": "normal"},
    "loan.due": {"loan_id": "L1", "customer_id": CIF, "due_date": "2026-12-31", "principal_due": "100000.00",
                 "interest_due": "350.5", "outstanding_balance": "500000"},
    "loan.repaid": {"loan_id": "L1", "customer_id": CIF, "repaid_on": "2026-12-01", "principal_paid": "100000.00",
                    "interest_paid": "350.50", "outstanding_balance": "400000.00"},
    "loan.overdue": {"loan_id": "L1", "customer_id": CIF, "as_of": "2027-01-02", "days_overdue": 2,
                     "overdue_principal": "100000.00", "overdue_interest": "12.30"},
    "loan.classified": {"loan_id": "L1", "customer_id": CIF, "as_of": "2027-01-02", "from_class": "normal",
                        "to_class": "special_mention"},
    "deposit.opened": {"account_id": "A1", "customer_id": CIF, "product": "time", "currency": "CNY",
                       "opened_on": "2026-11-01", "maturity_date": "2027-11-01"},
    "deposit.changed": {"account_id": "A1", "customer_id": CIF, "product": "demand", "currency": "CNY",
                        "amount": "-600000.00", "balance": "150000.00", "channel": "counter"},
    "deposit.closed": {"account_id": "A1", "customer_id": CIF, "closed_on": "2026-12-01"},
    "fee.posted": {"fee_id": "F1", "customer_id": CIF, "category": "wealth", "amount": "1200.00", "currency": "CNY",
                   "posted_on": "2026-11-25"},
}


def encode(event: dict) -> bytes:
    return json.dumps(event).encode()


def test_samples_cover_every_core_banking_type_of_the_contract():
    assert set(SAMPLES) == set(CORE_BANKING_TYPES) and len(SAMPLES) == 9


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_core_banking_type_parses_into_typed_data(event_type):
    envelope, data = parse_event(encode(core_event(event_type, CIF, SAMPLES[event_type])))
    assert envelope.type == event_type and envelope.business_date == date(2026, 11, 25)
    assert data.customer_id == CIF


def test_money_is_exact_decimal_not_float():
    _, data = parse_event(encode(core_event("loan.due", CIF, SAMPLES["loan.due"])))
    assert data.interest_due == Decimal("350.50") and isinstance(data.principal_due, Decimal)


def test_optional_fields_may_be_absent_and_unknown_fields_are_ignored():
    body = {**SAMPLES["deposit.opened"], "brand_new_field": 1}
    del body["maturity_date"]
    _, data = parse_event(encode({**core_event("deposit.opened", CIF, body), "extra": True}))
    assert data.maturity_date is None


@pytest.mark.parametrize("written, amount", [("350.50", "350.50"), ("0.5", "0.5"), ("007", "7"),
                                             ("+350.5", "350.5"), ("3.5E+2", "350")])
def test_money_in_any_decimal_notation_with_at_most_cents_is_taken_exactly(written, amount):
    """The usual notation is converted in pydantic's core; the others by the step-by-step path, which
    must take them as before."""
    _, data = parse_event(encode(core_event("loan.due", CIF, {**SAMPLES["loan.due"], "interest_due": written})))
    assert data.interest_due == Decimal(amount) and isinstance(data.interest_due, Decimal)
    assert isinstance(data, LoanDue)


@pytest.mark.parametrize("written", ["-600000.00", "-0.5", "-1000000000000000"])
def test_a_movement_may_be_negative_down_to_the_limit(written):
    _, data = parse_event(encode(core_event("deposit.changed", CIF, {**SAMPLES["deposit.changed"], "amount": written})))
    assert data.amount == Decimal(written)


@pytest.mark.parametrize("event_type, bad, reason", [
    ("deposit.changed", {"amount": "1e30"}, "at most 10\\^15"),
    ("deposit.changed", {"amount": "1000000000000000.01"}, "at most 10\\^15"),
    ("deposit.changed", {"balance": "-0.01"}, "negative"),
    ("loan.disbursed", {"principal": "-1.00"}, "negative"),
    ("loan.due", {"outstanding_balance": "-5"}, "negative"),
    ("loan.overdue", {"days_overdue": 10 ** 12}, "days_overdue"),
    ("loan.overdue", {"days_overdue": -1}, "days_overdue"),
    ("loan.disbursed", {"disbursed_on": "9999-12-01"}, "data.disbursed_on"),
    ("loan.disbursed", {"maturity_date": "0001-01-01"}, "data.maturity_date"),
    ("deposit.opened", {"maturity_date": "2090-01-01"}, "data.maturity_date"),
])
def test_values_outside_the_contract_bounds_are_rejected_by_every_consumer_alike(event_type, bad, reason):
    """Every consumer parses with parse_event: a value one service could not store or schedule must be
    dead-lettered, not kept by one service and refused by another."""
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(encode(core_event(event_type, CIF, {**SAMPLES[event_type], **bad})))


def test_dates_within_the_window_of_the_business_date_are_taken():
    _, data = parse_event(encode(core_event("loan.disbursed", CIF, {**SAMPLES["loan.disbursed"],
                                                                    "maturity_date": "2056-11-01"})))
    assert data.maturity_date == date(2056, 11, 1)


def test_a_business_date_far_from_when_the_event_occurred_is_rejected():
    event = {**core_event("loan.due", CIF, SAMPLES["loan.due"]), "business_date": "9999-12-01"}
    with pytest.raises(InvalidEvent, match="business_date"):
        parse_event(encode(event))


@pytest.mark.parametrize("bad, reason", [
    ({"principal_due": 100000.0}, "decimal string"),          # a float has already lost the cents
    ({"principal_due": "100.005"}, "at most 2 decimals"),
    ({"principal_due": "abc"}, "not a decimal"),
    ({"due_date": "31/12/2026"}, "data.due_date"),
])
def test_invalid_values_are_rejected_naming_the_field(bad, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(encode(core_event("loan.due", CIF, {**SAMPLES["loan.due"], **bad})))


def test_missing_required_field_is_named():
    body = dict(SAMPLES["loan.overdue"])
    del body["days_overdue"]
    with pytest.raises(InvalidEvent, match="data.days_overdue"):
        parse_event(encode(core_event("loan.overdue", CIF, body)))


def test_days_overdue_must_be_a_real_integer():
    with pytest.raises(InvalidEvent, match="days_overdue"):
        parse_event(encode(core_event("loan.overdue", CIF, {**SAMPLES["loan.overdue"], "days_overdue": "3"})))


@pytest.mark.parametrize("version", [1.0, True, "1"])
def test_version_must_be_a_real_integer(version):
    with pytest.raises(InvalidEvent, match="version"):
        parse_event(encode({**core_event("loan.due", CIF, SAMPLES["loan.due"]), "version": version}))


def test_unknown_type_and_unknown_version_are_rejected():
    with pytest.raises(InvalidEvent, match="unknown type"):
        parse_event(encode(core_event("loan.exploded", CIF, {})))
    with pytest.raises(InvalidEvent, match="unknown version"):
        parse_event(encode({**core_event("loan.due", CIF, SAMPLES["loan.due"]), "version": 2}))


def test_not_json_is_rejected():
    with pytest.raises(InvalidEvent, match="not valid JSON"):
        parse_event(b"\x00garbage{")


def test_envelope_without_id_is_rejected():
    event = core_event("loan.due", CIF, SAMPLES["loan.due"])
    del event["id"]
    with pytest.raises(InvalidEvent, match="id"):
        parse_event(encode(event))


def test_subject_must_be_the_customer_of_the_data():
    with pytest.raises(InvalidEvent, match="subject"):
        parse_event(encode(core_event("loan.due", "C999999", SAMPLES["loan.due"])))


def test_timestamp_without_zone_is_rejected():
    event = {**core_event("loan.due", CIF, SAMPLES["loan.due"]), "occurred_at": "2026-11-25T08:00:00"}
    with pytest.raises(InvalidEvent, match="occurred_at"):
        parse_event(encode(event))


@pytest.mark.parametrize("text", ["A\x00", "A\ud800", "\udc00B"])
def test_text_no_database_can_store_is_rejected_whatever_the_field(text):
    """A NUL or half a surrogate pair is valid JSON but no PostgreSQL text: one service storing the field
    would fail on it while the others applied the event."""
    event = core_event("deposit.closed", CIF, {**SAMPLES["deposit.closed"], "account_id": text})
    with pytest.raises(InvalidEvent, match="cannot be stored"):
        parse_event(json.dumps(event).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("text", ["账户😀", "A\\u0000 written out"])
def test_text_with_other_escapes_is_taken(text):
    event = core_event("deposit.closed", CIF, {**SAMPLES["deposit.closed"], "account_id": text})
    _, data = parse_event(json.dumps(event).encode())
    assert data.account_id == text

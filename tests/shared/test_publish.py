"""`make publish`: a hand-made core-banking event that every consumer accepts, for each type of the
contract, with the fields a user sets on the command line, sent keyed by CIF to the type's topic."""
import asyncio
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from shared.events import CORE_BANKING_TOPICS, CORE_BANKING_TYPES, parse_event
from shared.kafka import ensure_topics
from shared.settings import ServiceSettings
from tests.support import read_topic, unique_cif
from tools.publish import build, main, topic_of

CONTRACT_TOPICS = {"loan": "corebanking.loans", "deposit": "corebanking.deposits", "fee": "corebanking.fees"}


@pytest.mark.parametrize("event_type", sorted(CORE_BANKING_TYPES))
def test_every_core_banking_type_gets_an_event_every_consumer_accepts(event_type):
    envelope, data = parse_event(json.dumps(build(event_type, "C000123")))
    assert (envelope.type, envelope.subject, envelope.source) == (event_type, "C000123", "core-banking")
    assert isinstance(data, CORE_BANKING_TYPES[event_type]) and data.customer_id == "C000123"
    assert topic_of(event_type) == CONTRACT_TOPICS[event_type.split(".")[0]]


def test_fields_set_on_the_command_line_reach_the_event_in_their_contract_types():
    _, moved = parse_event(json.dumps(build("deposit.changed", "C1", {"amount": "-5000.00", "balance": "0.00"})))
    assert (moved.amount, moved.balance) == (Decimal("-5000.00"), Decimal("0.00"))
    _, overdue = parse_event(json.dumps(build("loan.overdue", "C1", {"days_overdue": "95"})))
    assert overdue.days_overdue == 95
    _, due = parse_event(json.dumps(build("loan.due", "C1", {"government_related": "true"})))
    assert due.government_related is True   # optional: absent from the sample, still typed


def test_sample_dates_follow_the_business_date_given():
    envelope, due = parse_event(json.dumps(build("loan.due", "C1", {"business_date": "2026-11-02"})))
    assert envelope.business_date == date(2026, 11, 2)
    assert due.due_date > envelope.business_date   # a loan falling due, not one already past
    first, second = build("loan.disbursed", "C1"), build("loan.repaid", "C1")
    assert first["data"]["loan_id"] == second["data"]["loan_id"] and first["id"] != second["id"]


def test_an_event_consumers_would_dead_letter_is_refused_before_it_is_sent(capsys):
    assert main(["deposit.changed", "C1", "balance=-1"]) == 2
    assert "must not be negative" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["loan.paid", "C1"])


async def test_the_command_sends_the_event_keyed_by_cif_to_its_topic(kafka):
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=kafka, topic_partitions=2),
                        topics=CORE_BANKING_TOPICS)
    cif = unique_cif()
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "tools.publish", "loan.due", cif, "interest_due=12.50"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka})
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout.strip().splitlines()[-1])
    found = await read_topic(kafka, "corebanking.loans", lambda r: json.loads(r.value)["id"] == sent["id"])
    record = next(r for r in found if json.loads(r.value)["id"] == sent["id"])
    assert record.key == cif.encode()
    envelope, data = parse_event(record.value)
    assert (envelope.subject, data.interest_due) == (cif, Decimal("12.50"))

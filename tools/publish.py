"""Publish one core-banking event by hand, as core banking would: `make publish EVENT=loan.due CIF=C000123`.

`python -m tools.publish TYPE CIF [key=value ...]` builds a valid envelope of docs/contract.md §1 for any
type in shared.events.CORE_BANKING_TYPES, with sample data a demo can follow (one loan `L<CIF>` and one
account `D<CIF>` per customer, so disbursed → due → repaid tell one story), and sends it keyed by the
CIF to the type's topic at KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092, the broker of `make run`).
`key=value` replaces a data field, or an envelope field (`id`, `business_date`, `occurred_at`,
`source`, `version`); the sample dates follow `business_date` (default: today in China). The event is
checked with shared.events.parse_event before it leaves (`--unchecked` sends it anyway, to try the
DLQ); `--dry-run` only prints it.
"""
import argparse
import asyncio
import json
import os
import sys
import uuid
from datetime import date, datetime, timedelta, timezone

from shared.clock import BANK_TZ
from shared.events import CORE_BANKING_TYPES, DEPOSITS_TOPIC, FEES_TOPIC, LOANS_TOPIC, InvalidEvent, parse_event

TOPIC_OF_FAMILY = {"loan": LOANS_TOPIC, "deposit": DEPOSITS_TOPIC, "fee": FEES_TOPIC}
ENVELOPE_FIELDS = ("id", "business_date", "occurred_at", "source", "version")


def sample_data(event_type: str, cif: str, day: date) -> dict:
    """Data of `event_type` for customer `cif` on business date `day`, valid against the contract."""
    loan = {"loan_id": f"L{cif}", "customer_id": cif}
    account = {"account_id": f"D{cif}", "customer_id": cif}
    samples: dict[str, dict[str, object]] = {
        "loan.disbursed": {**loan, "product": "working_capital", "principal": "1200000.00", "currency": "CNY",
                           "disbursed_on": day, "maturity_date": day + timedelta(days=365),
                           "government_related": False, "classification": "normal"},
        "loan.due": {**loan, "due_date": day + timedelta(days=14), "principal_due": "100000.00",
                     "interest_due": "4500.00", "outstanding_balance": "1200000.00"},
        "loan.repaid": {**loan, "repaid_on": day, "principal_paid": "100000.00", "interest_paid": "4500.00",
                        "outstanding_balance": "1100000.00"},
        "loan.overdue": {**loan, "as_of": day, "days_overdue": 5, "overdue_principal": "100000.00",
                         "overdue_interest": "4500.00"},
        "loan.classified": {**loan, "as_of": day, "from_class": "normal", "to_class": "special_mention"},
        "deposit.opened": {**account, "product": "demand", "currency": "CNY", "opened_on": day},
        "deposit.changed": {**account, "product": "demand", "currency": "CNY", "amount": "600000.00",
                            "balance": "600000.00", "channel": "counter"},
        "deposit.closed": {**account, "closed_on": day},
        "fee.posted": {"fee_id": f"F{uuid.uuid4().hex[:12]}", "customer_id": cif, "category": "settlement",
                       "amount": "350.00", "currency": "CNY", "posted_on": day},
    }
    if set(samples) != set(CORE_BANKING_TYPES):   # a type added to the contract needs its sample here
        raise KeyError(f"no sample for {sorted(set(CORE_BANKING_TYPES) - set(samples))}")
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in samples[event_type].items()}


def _value(text: str, like: object) -> object:
    """A command-line value in the JSON type of the sample it replaces: money and ids stay strings."""
    if isinstance(like, bool) or (like is None and text in ("true", "false")):
        if text not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return text == "true"
    if isinstance(like, int):
        return int(text)
    return None if text == "null" else text


def build(event_type: str, cif: str, overrides: dict[str, str] | None = None) -> dict:
    """The envelope of one core-banking event, with `overrides` (field -> text) applied."""
    if event_type not in CORE_BANKING_TYPES:
        raise ValueError(f"unknown core-banking type {event_type!r}; one of {', '.join(CORE_BANKING_TYPES)}")
    overrides = dict(overrides or {})
    now = datetime.now(timezone.utc)
    today = now.astimezone(BANK_TZ).date()
    day = date.fromisoformat(overrides["business_date"]) if "business_date" in overrides else today
    occurred = now if day == today else datetime(day.year, day.month, day.day, 2, tzinfo=timezone.utc)
    envelope: dict = {"id": str(uuid.uuid4()), "type": event_type, "version": 1, "source": "core-banking",
                      "occurred_at": occurred.isoformat(timespec="seconds").replace("+00:00", "Z"),
                      "business_date": day.isoformat(),
                      "subject": cif, "data": sample_data(event_type, cif, day)}
    for key, text in overrides.items():
        target = envelope if key in ENVELOPE_FIELDS else envelope["data"]
        target[key] = _value(text, target.get(key))
    return envelope


def topic_of(event_type: str) -> str:
    return TOPIC_OF_FAMILY[event_type.split(".")[0]]


async def send(bootstrap: str, topic: str, key: str, envelope: dict) -> None:
    from aiokafka import AIOKafkaProducer
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, json.dumps(envelope).encode(), key=key.encode())
    finally:
        await producer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("event_type", metavar="TYPE", help=", ".join(CORE_BANKING_TYPES))
    parser.add_argument("cif", metavar="CIF", help="the customer's CIF: the message key and the envelope's subject")
    parser.add_argument("fields", nargs="*", metavar="key=value", help="a data or envelope field to set")
    parser.add_argument("--dry-run", action="store_true", help="print the event, publish nothing")
    parser.add_argument("--unchecked", action="store_true", help="publish even what consumers will dead-letter")
    args = parser.parse_args(argv)
    if bad := [f for f in args.fields if "=" not in f]:
        parser.error(f"not key=value: {' '.join(bad)}")
    try:
        envelope = build(args.event_type, args.cif, dict(f.split("=", 1) for f in args.fields))
    except ValueError as err:
        parser.error(str(err))
    body = json.dumps(envelope, ensure_ascii=False)
    if not args.unchecked:
        try:
            parse_event(body)
        except InvalidEvent as err:
            print(f"not published: every consumer would dead-letter it ({err}); --unchecked sends it anyway",
                  file=sys.stderr)
            return 2
    topic = topic_of(args.event_type)
    if not args.dry_run:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
        asyncio.run(send(bootstrap, topic, args.cif, envelope))
        print(f"published to {topic} at {bootstrap}, key {args.cif}:", file=sys.stderr)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())

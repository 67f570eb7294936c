"""A bounded fuzz of the event contract: envelopes and data generated for every event type — valid ones
with values at the contract's edges and broken ones — fed to the three consumers with their real handlers
and databases. Every consumer that handles a type must agree on each event: applied by all of them or
dead-lettered by all of them (a value one service keeps and another refuses splits the services for good).
"""
import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.appraisal.handlers import HANDLERS as APPRAISAL
from services.customer.handlers import HANDLERS as CUSTOMER
from services.tasks.handlers import HANDLERS as TASKS
from shared.consumer import EventConsumer
from shared.dlq import DeadLetters
from shared.events import CORE_BANKING_TYPES, EVENT_TYPES
from shared.events.values import money_kind
from shared.settings import ServiceSettings
from tests.support import sessions_for

SERVICES = {"customer": CUSTOMER, "tasks": TASKS, "appraisal": APPRAISAL}
CIFS, IDS = ["C000001", "C000002", "C000003"], ["X1", "X2", "X3"]
BUSINESS_DAY = date(2026, 11, 25)


@dataclass
class Record:
    """What the consumer reads of a Kafka record."""
    value: bytes
    offset: int
    topic: str = "fuzz"
    partition: int = 0
    key: bytes = b""
    headers: list = field(default_factory=list)


class DeadLetterLog(DeadLetters):
    """The consumer's dead-letter topic as a dict, offset -> reason (no broker)."""

    def __init__(self) -> None:   # no producer: nothing leaves the process
        self.offsets: dict[int, str] = {}

    async def send(self, record: Record, reason: str, event_type: str = "unknown") -> None:
        self.offsets[record.offset] = reason


def money(kind: str, clean: bool) -> st.SearchStrategy:
    usual = st.decimals(min_value=Decimal(-10) ** 15 if kind == "signed" else 0, max_value=Decimal(10) ** 15,
                        places=2, allow_nan=False, allow_infinity=False).map(str)
    edges = st.sampled_from(["0", "0.00", "1000000000000000", "999999999999999.99", "1e30", "-0.01", "1.005",
                             "abc", "", "NaN", "Infinity", "1E+3"])
    rare = st.one_of(edges, st.floats(allow_nan=False, allow_infinity=False), st.none())
    return usual if clean else st.one_of(*[usual] * 8, rare)


def days_from_business_day(clean: bool) -> st.SearchStrategy:
    near = st.integers(-400, 400).map(lambda n: (BUSINESS_DAY + timedelta(days=n)).isoformat())
    far = st.sampled_from(["9999-12-01", "0001-01-01", "2076-11-26", "1976-11-24", "2026-02-30", "tomorrow", ""])
    return near if clean else st.one_of(*[near] * 8, far)


def value_for(name: str, model, annotation, clean: bool) -> st.SearchStrategy:
    """A value for one field: within the contract when `clean`, else now and then outside it."""
    kind = money_kind(model.model_fields[name])
    if kind:
        return money(kind, clean)
    if name == "customer_id":
        return st.sampled_from(CIFS if clean else CIFS + [""])
    if name.endswith("_id"):
        return st.sampled_from(IDS)
    args = [a for a in get_args(annotation) if a is not type(None)]
    optional = type(None) in get_args(annotation)
    if get_origin(annotation) is Literal:
        base = st.sampled_from(args) if clean else st.one_of(*[st.sampled_from(args)] * 6, st.just("unknown"))
    elif annotation is date or date in args:
        base = days_from_business_day(clean)
    elif annotation is bool or bool in args:
        base = st.booleans() if clean else st.one_of(*[st.booleans()] * 6, st.just("yes"))
    elif annotation is int or int in args:
        base = st.integers(1, 5) if clean else st.one_of(*[st.integers(0, 400)] * 6, st.integers(-5, 40_000),
                                                         st.just(10 ** 12), st.just("3"))
    elif get_origin(annotation) is list:
        base = st.lists(st.sampled_from(["rm01", "rm02", "x"]), max_size=3)
    elif get_origin(annotation) is dict:
        base = st.just({})
    elif name in ("occurred_at", "effective_from", "expires_at"):
        base = st.just("2026-11-25T08:00:00Z") if clean else \
            st.sampled_from(["2026-11-25T08:00:00Z", "2026-11-25T08:00:00", "9999-12-31T00:00:00Z"])
    else:
        usual = st.sampled_from(["rm01", "rm02", "A", "retail", "corporate", "HQ/BR01/SB01"])
        base = usual if clean else st.one_of(usual, st.text(max_size=20))
    return st.one_of(base, st.none()) if optional and not clean else base


@st.composite
def message(draw) -> bytes:
    event_type, version = draw(st.sampled_from(sorted(EVENT_TYPES)))
    model = EVENT_TYPES[(event_type, version)]
    # half the events keep every value within the contract, so valid events reach the handlers whatever the
    # number of fields a type has; the other half break one or more now and then
    clean = draw(st.booleans())
    data = {}
    for name, info in model.model_fields.items():
        if not clean and draw(st.integers(0, 80)) == 0:   # now and then a field is missing
            continue
        data[name] = draw(value_for(name, model, info.annotation, clean))
    subject = data.get("customer_id") if event_type in CORE_BANKING_TYPES else draw(st.sampled_from(CIFS))
    envelope = {"id": str(uuid.uuid4()), "type": event_type, "version": 1 if clean else draw(st.sampled_from([1] * 9 + [2])),
                "source": "fuzz", "occurred_at": "2026-11-25T08:00:00Z",
                "business_date": BUSINESS_DAY.isoformat() if clean else
                draw(st.sampled_from([BUSINESS_DAY.isoformat()] * 9 + ["9999-12-01"])),
                "subject": subject if isinstance(subject, str) and subject else "C000001", "data": data}
    return json.dumps(envelope, default=str).encode()


@pytest.fixture(scope="module")
async def database_urls(databases) -> dict[str, str]:
    return {name: await databases(name) for name in SERVICES}


async def verdicts_of(urls: dict[str, str], values: list[bytes]) -> dict[str, dict[int, str]]:
    """Each consumer's dead letters (offset -> reason) after one poll of `values`."""
    verdicts = {}
    for name, url in urls.items():
        async with sessions_for(url) as sessions:
            consumer = EventConsumer(name=name, topics=[], handlers=SERVICES[name], settings=ServiceSettings(),
                                     session_factory=sessions)
            consumer.dead_letters = DeadLetterLog()
            await consumer.process_records([Record(v, offset) for offset, v in enumerate(values)])
            verdicts[name] = consumer.dead_letters.offsets
    return verdicts


def test_every_consumer_that_handles_an_event_applies_it_or_dead_letters_it_alike(database_urls):
    checked = {"events": 0, "applied": 0, "dead": 0}

    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.lists(message(), min_size=1, max_size=25))
    def poll(values):
        verdicts = asyncio.run(verdicts_of(database_urls, values))
        for offset, value in enumerate(values):
            event_type = json.loads(value).get("type")
            handling = [n for n, h in SERVICES.items() if event_type in h]
            dead = {n for n in handling if offset in verdicts[n]}
            assert dead in (set(), set(handling)), (value, {n: verdicts[n].get(offset) for n in handling})
            checked["events"] += 1
            checked["applied" if handling and not dead else "dead" if dead else "events"] += bool(handling)

    poll()
    # the fuzz is only worth something if it reaches the handlers with valid events as well as refusals
    assert checked["applied"] >= 10 and checked["dead"] >= 10, checked

"""The consumer applies core-banking events set-based, a polled batch at a time (ingest.py). Whatever
the batch holds — one account moving several times a day, a fact older than what is stored, a closed
account, a loan re-sent, an owner changing in the middle — it must leave exactly what the reference
handlers leave applying the same events one at a time: ledger, intervals, loans, flows, stamps and the
facts a scorecard is computed from."""
import asyncio
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.appraisal.facts import live_facts
from services.appraisal.handlers import HANDLERS, PER_EVENT_HANDLERS
from services.appraisal.models import (ActivityFact, BalanceInterval, CardStamp, LedgerEvent, LoanFlow, LoanRecord,
                                       OwnershipInterval)
from services.appraisal.replay import replay_facts
from shared.consumer import EventConsumer
from shared.dedup import ProcessedEvent
from shared.handlers import Item
from shared.events import parse_event
from shared.migrations import upgrade_to_head
from shared.settings import ServiceSettings
from tests.appraisal.conftest import assigned, closed, deposit, disbursed, repaid
from tests.support import core_event, loan_due, sessions_for
from tools.devstack import ROOT

PERIOD = "2026-10"


def classified(cif: str, loan: str, to_class: str, on: str) -> dict:
    return core_event("loan.classified", cif, {"loan_id": loan, "customer_id": cif, "as_of": on,
                                               "from_class": "normal", "to_class": to_class}, business_date=on)


def overdue(cif: str, loan: str, on: str) -> dict:
    return core_event("loan.overdue", cif, {"loan_id": loan, "customer_id": cif, "as_of": on, "days_overdue": 3,
                                            "overdue_principal": "1000.00", "overdue_interest": "10.00"},
                      business_date=on)


def opened(cif: str, account: str, on: str) -> dict:
    return core_event("deposit.opened", cif, {"account_id": account, "customer_id": cif, "product": "demand",
                                              "currency": "CNY", "opened_on": on}, business_date=on)


def history() -> list[dict]:
    """What is already stored when the batch arrives."""
    return [assigned("C1", "rm01", "2026-09-01"), assigned("C1", "rm03", "2026-09-01", role="B"),
            assigned("C2", "rm02", "2026-09-01"),
            deposit("C1", "A1", "savings", "100.00", "2026-10-02"), deposit("C1", "A1", "savings", "150.00", "2026-10-05"),
            deposit("C2", "A2", "demand", "300.00", "2026-10-03"), deposit("C2", "A3", "time", "50.00", "2026-10-04"),
            disbursed("C1", "L1", "1000000.00", "2026-10-03")]


def batch() -> list[dict]:
    """One poll's worth, in publish order."""
    resent = loan_due("C1", "L1", "2026-11-05", principal_due="250000.00", business_date="2026-10-06")
    events = [
        deposit("C1", "A1", "savings", "200.00", "2026-10-06", at="09:00:00"),
        deposit("C1", "A1", "savings", "210.00", "2026-10-06", at="15:00:00"),   # later that day: wins
        deposit("C1", "A1", "savings", "205.00", "2026-10-06", at="12:00:00"),   # arrives late, happened earlier
        deposit("C1", "A1", "savings", "120.00", "2026-10-04"),                  # between two stored points
        deposit("C1", "A1", "savings", "90.00", "2026-10-01"),                   # before every stored point
        deposit("C1", "A1", "savings", "95.00", "2026-10-05", at="23:00:00"),    # overwrites a stored point
        deposit("C2", "A2", "demand", "310.00", "2026-10-06"),
        closed("C2", "A3", "2026-10-06"),                                        # product from the stored interval
        deposit("C2", "A3", "time", "70.00", "2026-10-05"),                      # before the close, arrives after
        opened("C2", "A5", "2026-10-06"),
        repaid("C1", "L1", "250000.00", "750000.00", "2026-10-06"),
        resent, loan_due("C1", "L1", "2026-11-05", principal_due="260000.00", business_date="2026-10-06"),
        classified("C1", "L1", "special_mention", "2026-10-06"), classified("C9", "L9", "doubtful", "2026-10-06"),
        overdue("C1", "L1", "2026-10-06"),
        disbursed("C2", "L2", "500000.00", "2026-10-06"), repaid("C2", "L2", "100000.00", "400000.00", "2026-10-06"),
        classified("C2", "L2", "substandard", "2026-10-07"),
        assigned("C2", "rm01", "2026-10-06", previous="rm02"),                   # the transfer, mid-batch
        deposit("C2", "A2", "demand", "320.00", "2026-10-07"),
        closed("C2", "A2", "2026-10-08"), deposit("C2", "A2", "demand", "5.00", "2026-10-09"),  # reopened money
        deposit("C3", "A4", "wealth", "999.00", "2026-10-06"),                   # a customer nobody owns
        repaid("C2", "L3", "1.00", "9.00", "2026-10-06"),                        # a loan never disbursed here
    ]
    return events + [resent]   # the same message twice in one poll acts once


async def apply_in_one_batch(consumer: EventConsumer, events: list[dict]) -> None:
    items = []
    for event in events:
        envelope, data = parse_event(json.dumps(event).encode())
        items.append(Item(None, consumer.handlers[envelope.type], envelope, data))
    await consumer.apply_batch(items)


def one_at_a_time(handlers: dict):
    async def apply(consumer: EventConsumer, events: list[dict]) -> None:
        for event in events:
            envelope, data = parse_event(json.dumps(event).encode())
            await consumer.apply(handlers[envelope.type], envelope, data)
    return apply


async def state(sessions) -> dict:
    """Every table the handlers write (the ledger without its arrival time) and the period's scorecard inputs."""
    tables = {}
    async with sessions() as s:
        for model in (LedgerEvent, BalanceInterval, OwnershipInterval, LoanRecord, LoanFlow, CardStamp, ActivityFact):
            columns = [c for c in model.__table__.c if c.name != "recorded_at"]
            rows = (await s.execute(select(*columns))).all()
            tables[model.__tablename__] = sorted((tuple(row) for row in rows), key=repr)
        for source, load in (("live", live_facts), ("replayed", replay_facts)):
            facts = await load(s, PERIOD)
            tables[source] = (facts.balance_days, {k: dict(v) for k, v in facts.activity.items()},
                              {k: sorted(v) for k, v in facts.new_loans.items()},
                              {k: dict(v) for k, v in facts.loan_flows.items()})
    return tables


async def applied(url: str, apply, polls: list[list[dict]]) -> dict:
    async with sessions_for(url) as sessions:
        consumer = EventConsumer(name="appraisal", topics=[], handlers=HANDLERS, settings=ServiceSettings(),
                                 session_factory=sessions)
        for events in polls:
            await apply(consumer, events)
        return await state(sessions)


@pytest.fixture(params=["suite database", "embedded sqlite"])
async def new_db(request, databases, tmp_path):
    async def make() -> str:
        if request.param == "suite database":
            return await databases("appraisal")
        url = f"sqlite+aiosqlite:///{tmp_path}/appraisal-{len(list(tmp_path.iterdir()))}.db"
        await asyncio.to_thread(upgrade_to_head, str(ROOT / "services" / "appraisal" / "alembic"), url)
        return url
    return make


@pytest.mark.parametrize("reference", ["reference handlers", "batched handlers one by one"])
async def test_a_batch_leaves_exactly_what_its_events_one_at_a_time_leave(new_db, reference):
    polls = [history(), batch()]
    expected = await applied(await new_db(), one_at_a_time(PER_EVENT_HANDLERS if reference == "reference handlers"
                                                           else HANDLERS), polls)
    got = await applied(await new_db(), apply_in_one_batch, polls)
    for table in expected:
        assert got[table] == expected[table], table
    assert got["live"] == got["replayed"]   # and recompute still agrees with the live projection
    a1 = [(date.fromordinal(row[1]).day, row[2] and date.fromordinal(row[2]).day, row[6])
          for row in got["balance_interval"] if row[0] == "A1"]
    assert sorted(a1) == [(1, 2, Decimal("90")), (2, 4, Decimal("100")), (4, 5, Decimal("120")), (5, 6, Decimal("95")),
                          (6, None, Decimal("210"))]


async def test_a_batch_delivered_again_changes_nothing_and_core_banking_events_need_no_marker(new_db):
    stored, poll, url = history(), batch(), await new_db()
    once = await applied(await new_db(), apply_in_one_batch, [stored, poll])
    twice = await applied(url, apply_in_one_batch, [stored, poll, poll])   # the poll redelivered
    assert twice == once
    async with sessions_for(url) as sessions, sessions() as s:
        marked = set((await s.execute(select(ProcessedEvent.event_id))).scalars())
        kept = set((await s.execute(select(LedgerEvent.event_id))).scalars())
    # the ledger's key is the record for events of the set-based handlers; the rest keep markers
    assert marked == {e["id"] for e in stored + poll if not getattr(HANDLERS[e["type"]], "deduplicating", False)}
    assert marked and kept == {e["id"] for e in stored + poll}

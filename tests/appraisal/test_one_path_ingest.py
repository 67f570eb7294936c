"""The consumer applies every event family set-based, a polled batch at a time (a lone event is a run of
one). Whatever a batch holds — one account moving several times a day, a fact older than what is
stored, a closed account, a loan re-sent, an owner changing in the middle, the same event twice — the
intervals, loans, flows, owners, deeds and 日均 it leaves are stated here by hand."""
import asyncio
import json
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.appraisal.handlers import HANDLERS
from services.appraisal.models import (
    ActivityFact,
    BalanceInterval,
    CardStamp,
    LedgerEvent,
    LoanFlow,
    LoanRecord,
    OwnershipInterval,
    StaffMember,
)
from services.appraisal.service.cards import scorecards
from services.appraisal.service.facts import live_facts
from services.appraisal.service.replay import replay_facts
from shared.consumer import EventConsumer
from shared.dedup import ProcessedEvent
from shared.events import parse_event
from shared.handlers import Item
from shared.migrations import upgrade_to_head
from shared.settings import ServiceSettings
from tests.appraisal.conftest import assigned, closed, deposit, disbursed, interaction, repaid, staff, task_done, won
from tests.support import core_event, loan_due, sessions_for
from tools.devstack import ROOT

PERIOD = "2026-10"


def in_oct(day: int) -> int:
    return date(2026, 10, day).toordinal()


def at(event: dict, time: str) -> dict:
    event["occurred_at"] = f"{event['business_date']}T{time}Z"
    return event


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
            deposit("C1", "A1", "savings", "100.00", "2026-10-02"),
            deposit("C1", "A1", "savings", "150.00", "2026-10-05"),
            deposit("C2", "A2", "demand", "300.00", "2026-10-03"), deposit("C2", "A3", "time", "50.00", "2026-10-04"),
            disbursed("C1", "L1", "1000000.00", "2026-10-03")]


def batch() -> list[dict]:
    """One poll's worth, in publish order (the comments say what each must do)."""
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
        opened("C2", "A5", "2026-10-06"),                                        # the ledger's alone
        repaid("C1", "L1", "250000.00", "750000.00", "2026-10-06"),
        resent, loan_due("C1", "L1", "2026-11-05", principal_due="260000.00", business_date="2026-10-06"),
        classified("C1", "L1", "special_mention", "2026-10-06"), classified("C9", "L9", "doubtful", "2026-10-06"),
        overdue("C1", "L1", "2026-10-06"),
        disbursed("C2", "L2", "500000.00", "2026-10-06"),
        at(repaid("C2", "L2", "100000.00", "400000.00", "2026-10-06"), "17:00:00"),   # same day, later: wins
        classified("C2", "L2", "substandard", "2026-10-07"),
        assigned("C2", "rm01", "2026-10-06", previous="rm02"),                   # the transfer, mid-batch
        deposit("C2", "A2", "demand", "320.00", "2026-10-07"),
        closed("C2", "A2", "2026-10-08"), deposit("C2", "A2", "demand", "5.00", "2026-10-09"),  # reopened money
        deposit("C3", "A4", "wealth", "999.00", "2026-10-06"),                   # a customer nobody owns
        repaid("C2", "L3", "1.00", "9.00", "2026-10-06"),                        # a loan never disbursed here
    ]
    return events + [resent]   # the same message twice in one poll acts once


def items_of(events: list[dict]) -> list[Item]:
    items = []
    for event in events:
        envelope, data = parse_event(json.dumps(event).encode())
        items.append(Item(None, HANDLERS[envelope.type], envelope, data))
    return items


async def table(s, model, *columns: str) -> set[tuple]:
    """The rows as a set, JSON values as their sorted text."""
    cols = [model.__table__.c[c] for c in columns]
    return {tuple(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v for v in row)
            for row in (await s.execute(select(*cols))).all()}


@pytest.fixture(params=["suite database", "embedded sqlite"])
async def new_db(request, databases, tmp_path):
    async def make() -> str:
        if request.param == "suite database":
            return await databases("appraisal")
        url = f"sqlite+aiosqlite:///{tmp_path}/appraisal-{len(list(tmp_path.iterdir()))}.db"
        await asyncio.to_thread(upgrade_to_head, str(ROOT / "services" / "appraisal" / "alembic"), url)
        return url
    return make


@pytest.fixture
async def deliver(new_db):
    """deliver(polls) -> sessions: each poll applied as the consumer applies one (one transaction)."""
    async with sessions_for(await new_db()) as sessions:
        consumer = EventConsumer(name="appraisal", topics=[], handlers=HANDLERS, settings=ServiceSettings(),
                                 session_factory=sessions)

        async def apply(*polls: list[dict]):
            for poll in polls:
                await consumer.apply_batch(items_of(poll))
            return sessions
        yield apply


async def test_a_batch_places_every_balance_loan_flow_and_owner_where_the_facts_say(deliver):
    sessions = await deliver(history(), batch())
    async with sessions() as s:
        intervals = await table(s, BalanceInterval, "account_id", "from_day", "to_day", "product", "balance")
        loans = await table(s, LoanRecord, "loan_id", "cif", "principal", "disbursed_day", "classification")
        flows = await table(s, LoanFlow, "loan_id", "day", "amounts")
        due_keys = {key for (key,) in await table(s, LoanFlow, "event_id") if key.startswith("due:")}
        owners = await table(s, OwnershipInterval, "cif", "role", "from_day", "to_day", "owner")
    d = Decimal
    assert intervals == {
        ("A1", in_oct(1), in_oct(2), "savings", d("90")), ("A1", in_oct(2), in_oct(4), "savings", d("100")),
        ("A1", in_oct(4), in_oct(5), "savings", d("120")), ("A1", in_oct(5), in_oct(6), "savings", d("95")),
        ("A1", in_oct(6), None, "savings", d("210")),
        ("A2", in_oct(3), in_oct(6), "demand", d("300")), ("A2", in_oct(6), in_oct(7), "demand", d("310")),
        ("A2", in_oct(7), in_oct(8), "demand", d("320")), ("A2", in_oct(8), in_oct(9), "demand", d("0")),
        ("A2", in_oct(9), None, "demand", d("5")),
        ("A3", in_oct(4), in_oct(5), "time", d("50")), ("A3", in_oct(5), in_oct(6), "time", d("70")),
        ("A3", in_oct(6), None, "time", d("0")),                       # closed: nil, in the product it had
        ("A4", in_oct(6), None, "wealth", d("999")),
        ("L1", in_oct(3), in_oct(6), "working_capital", d("1000000")),
        ("L1", in_oct(6), None, "working_capital", d("750000")),
        ("L2", in_oct(6), None, "working_capital", d("400000")),       # the repayment at 17:00 beats the disbursement
        ("L3", in_oct(6), None, "loan", d("9")),                       # no product known: a loan's default
    }
    assert loans == {("L1", "C1", d("1000000"), in_oct(3), "special_mention"),
                     ("L2", "C2", d("500000"), in_oct(6), "substandard")}   # L9 and L3 were never disbursed here
    paid = lambda p: json.dumps({"principal_paid": p, "interest_paid": "0.00"}, sort_keys=True)  # noqa: E731
    assert flows == {("L1", in_oct(6), paid("250000.00")), ("L2", in_oct(6), paid("100000.00")),
                     ("L3", in_oct(6), paid("1.00")),
                     ("L1", date(2026, 11, 5).toordinal(),   # re-sent with new ids: one fact, the later amounts
                      json.dumps({"principal_due": "260000.00", "interest_due": "350.00"}, sort_keys=True))}
    assert due_keys == {"due:L1:2026-11-05"}
    assert owners == {("C1", "A", date(2026, 9, 1).toordinal(), None, "rm01"),
                      ("C1", "B", date(2026, 9, 1).toordinal(), None, "rm03"),
                      ("C2", "A", date(2026, 9, 1).toordinal(), in_oct(6), "rm02"),
                      ("C2", "A", in_oct(6), None, "rm01")}


async def test_the_months_daily_averages_follow_the_owner_of_each_day(deliver):
    """Default coefficients (savings 1.1, demand 1.0, time 1.2) and split (A 1.0, B 0.0); October has 31 days.
    rm01, A of C1 all month and of C2 from 6 Oct (the transfer day is the new owner's):
      deposits C1 A1 90×1 + 100×2 + 120×1 + 95×1 + 210×26 = 5,965 × 1.1 = 6,561.50
               C2 A2 310×1 + 320×1 + 0×1 + 5×23 = 745; A3 nil from the 6th
               (6,561.50 + 745) ÷ 31 = 235.6935… → 235.69
      loans    L1 1,000,000×3 + 750,000×26 = 22,500,000; L2 400,000×26 = 10,400,000; L3 9×26 = 234
               32,900,234 ÷ 31 = 1,061,297.8709… → 1,061,297.87
    rm02, A of C2 on 1–5 Oct: A2 300×3 = 900; A3 (time) 50×1 + 70×1 = 120 × 1.2 = 144; 1,044 ÷ 31 = 33.677… → 33.68
    rm03, B of C1: a B share of 0 → 0.00. C3 has no owner: its 999.00 is nobody's."""
    sessions = await deliver(history(), batch())
    async with sessions() as s:
        cards = await scorecards(s, PERIOD, ["rm01", "rm02", "rm03"])
        live, replayed = await live_facts(s, PERIOD), await replay_facts(s, PERIOD)
    raw = {who: {k["code"]: k["raw_value"] for k in card["kpis"]} for who, card in cards.items()}
    assert {who: (r["deposits"], r["loans"]) for who, r in raw.items()} == {
        "rm01": ("235.69", "1061297.87"), "rm02": ("33.68", "0.00"), "rm03": ("0.00", "0.00")}
    assert live.balance_days[("rm01", "A+B", "deposit", "savings", "C1")] == Decimal("5965")  # shared with rm03 (B)
    assert live.balance_days[("rm03", "B", "deposit", "savings", "C1")] == Decimal("5965")
    assert live.balance_days == replayed.balance_days        # and recompute from the ledger agrees
    assert dict(live.loan_flows) == dict(replayed.loan_flows)


async def test_a_transfer_mid_month_splits_the_months_daily_average_by_days_in_any_delivery(new_db):
    """C5 31,000.00 from 30 Sep, 62,000.00 from 20 Oct; rm01 until the transfer on 16 Oct, then rm02:
    rm01 31,000 × 15 = 465,000 ÷ 31 = 15,000.00; rm02 31,000 × 4 + 62,000 × 12 = 868,000 ÷ 31 = 28,000.00.
    The transfer is published before the first assignment, and the events come in one poll or one apiece."""
    events = [assigned("C5", "rm02", "2026-10-16", previous="rm01"), assigned("C5", "rm01", "2026-09-01"),
              deposit("C5", "D5", "demand", "62000.00", "2026-10-20"),
              deposit("C5", "D5", "demand", "31000.00", "2026-09-30")]
    for polls in ([events], [[e] for e in events]):
        async with sessions_for(await new_db()) as sessions:
            consumer = EventConsumer(name="appraisal", topics=[], handlers=HANDLERS, settings=ServiceSettings(),
                                     session_factory=sessions)
            for poll in polls:
                await consumer.apply_batch(items_of(poll))
            async with sessions() as s:
                cards = await scorecards(s, PERIOD, ["rm01", "rm02"])
        deposits = {who: next(k for k in c["kpis"] if k["code"] == "deposits") for who, c in cards.items()}
        assert {who: k["raw_value"] for who, k in deposits.items()} == {"rm01": "15000.00", "rm02": "28000.00"}


@pytest.mark.parametrize("arrival", ["earlier fact first", "later fact first"])
@pytest.mark.parametrize("polls", ["one poll", "a poll each"])
async def test_of_two_postings_on_one_business_date_the_later_fact_holds_whatever_the_arrival(deliver, arrival, polls):
    early = deposit("C1", "A1", "savings", "700.00", "2026-10-12", at="09:00:00")
    late = deposit("C1", "A1", "savings", "800.00", "2026-10-12", at="16:30:00")
    ordered = [early, late] if arrival == "earlier fact first" else [late, early]
    sessions = await deliver(*([ordered] if polls == "one poll" else [[e] for e in ordered]))
    async with sessions() as s:
        assert await table(s, BalanceInterval, "account_id", "from_day", "to_day", "balance") == {
            ("A1", in_oct(12), None, Decimal("800"))}


async def test_a_redelivered_batch_is_applied_once_and_needs_no_marker(deliver):
    deeds = [staff("rm01", ["rm"], "T01"), assigned("C1", "rm01", "2026-09-01"),
             won("C1", "rm01", "2026-10-10"), interaction("C1", "rm01", "2026-10-11"),
             task_done("C1", "rm01", "2026-10-12", True), won("C2", None, "2026-10-10")]   # nobody to credit
    first = history() + batch() + deeds
    sessions = await deliver(first)
    async with sessions() as s:
        before = {m.__tablename__: await table(s, m, *m.__table__.c.keys()) for m in (
            BalanceInterval, OwnershipInterval, LoanRecord, LoanFlow, ActivityFact, CardStamp, StaffMember)}
        ledger_before = await table(s, LedgerEvent, "event_id", "recorded_at")
    await deliver(first, first[::-1])        # the poll redelivered, then again in another order
    async with sessions() as s:
        after = {m.__tablename__: await table(s, m, *m.__table__.c.keys()) for m in (
            BalanceInterval, OwnershipInterval, LoanRecord, LoanFlow, ActivityFact, CardStamp, StaffMember)}
        assert await table(s, LedgerEvent, "event_id", "recorded_at") == ledger_before
        marked = await table(s, ProcessedEvent, "event_id")
    assert after == before
    assert len(ledger_before) == len({e["id"] for e in first})   # every event kept once, the resent one too
    assert marked == set()    # the ledger's key is the consumer's record for every family
    assert Counter(row[1] for row in before["activity_fact"]) == {"won": 1, "interaction": 1, "task_completed": 1}


async def test_a_card_stamp_moves_for_every_owner_of_the_customer_an_event_is_about(deliver):
    sessions = await deliver([assigned("C1", "rm01", "2026-09-01"), assigned("C1", "rm03", "2026-09-01", role="B")])

    async def stamps() -> dict[str, int]:
        async with sessions() as s:
            return dict(await table(s, CardStamp, "scope", "seq"))

    def moved(before: dict, after: dict) -> dict:
        return {scope: seq - before.get(scope, 0) for scope, seq in after.items() if seq != before.get(scope, 0)}

    start = await stamps()
    await deliver([deposit("C1", "A1", "savings", "1.00", "2026-10-02"),
                   deposit("C1", "A1", "savings", "2.00", "2026-10-03"), won("C1", "rm02", "2026-10-03")])
    deposited = await stamps()
    assert moved(start, deposited) == {"rm01": 2, "rm03": 2, "rm02": 1}   # two deposits for both owners; the deed
    await deliver([assigned("C1", "rm04", "2026-10-20", previous="rm01")])
    assert moved(deposited, await stamps()) == {"rm01": 1, "rm03": 1, "rm04": 1}   # the old owners and the new


async def test_a_persons_last_staff_change_in_a_run_is_what_holds(deliver):
    moved, promoted = staff("lead01", ["rm"], "T01"), staff("lead01", ["team_lead"], "T02", unit="SB02",
                                                            path="HQ/BR01/SB02")
    sessions = await deliver([staff("rm01", ["rm"], "T01"), moved, promoted])
    async with sessions() as s:
        assert await table(s, StaffMember, "username", "roles", "unit", "unit_path", "team") == {
            ("rm01", '["rm"]', "SB01", "HQ/BR01/SB01", "T01"),
            ("lead01", '["team_lead"]', "SB02", "HQ/BR01/SB02", "T02")}


async def test_events_applied_again_past_the_ledger_leave_the_projections_as_they_were(deliver):
    """The ledger is the record of what was applied; were it lost, the projections would still hold:
    a point of the same fact replaces nothing, a flow's key and a deed's event id are taken once."""
    events = history() + batch() + [won("C1", "rm01", "2026-10-10"), interaction("C1", "rm01", "2026-10-11")]
    sessions = await deliver(events)
    projections = (BalanceInterval, OwnershipInterval, LoanRecord, LoanFlow, ActivityFact)
    async with sessions() as s:
        before = {m.__tablename__: await table(s, m, *m.__table__.c.keys()) for m in projections}
        await s.execute(LedgerEvent.__table__.delete())
        await s.commit()
    await deliver(events[::-1])
    async with sessions() as s:
        assert {m.__tablename__: await table(s, m, *m.__table__.c.keys()) for m in projections} == before

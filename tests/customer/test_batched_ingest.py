"""Core-banking and task events applied as the consumer applies a poll (one transaction, set-based runs)
leave the holdings, end-of-day totals, tiers and `customer.tier-changed` events worked out by hand here."""
import json
import uuid

import pytest
from sqlmodel import select

from services.customer.cli.seed import seed_demo
from services.customer.config import Settings
from services.customer.handlers import HANDLERS
from services.customer.models import BalanceDay, Customer, DepositAccount, LoanHolding, OpenTask
from shared.consumer import EventConsumer
from shared.db import make_engine, make_session_factory
from shared.events import parse_event
from shared.handlers import Item
from shared.outbox import OutboxMessage
from tests.customer.helpers import deposit_changed, deposit_opened, loan_disbursed
from tests.support import core_event, unique_cif

RETAIL, CORPORATE, STRANGER = "CBATCHR001", "CBATCHK001", "CBATCHU001"   # the stranger is no customer of ours


@pytest.fixture(scope="module")
async def consumer(databases):
    engine = make_engine(await databases("customer"))
    consumer = EventConsumer(name="customer", topics=[], handlers=HANDLERS, settings=Settings(),
                             session_factory=make_session_factory(engine))
    async with consumer.session_factory() as session:
        await seed_demo(session)
    yield consumer
    await engine.dispose()


async def register(consumer, *customers: tuple[str, str]) -> None:
    """Customers (cif, kind) on record at standard, version 1, as registration leaves one with no holdings."""
    async with consumer.session_factory() as session:
        for cif, kind in customers:
            session.add(Customer(id=uuid.uuid5(uuid.NAMESPACE_OID, cif), cif=cif, name=cif, kind=kind,
                                 unit_code="SB01", unit_path="HQ/BR01/SB01", owner="rm01"))
        await session.commit()


async def ingest(consumer, events: list[dict]) -> None:
    """One poll: every event parsed, all applied in one transaction through the handler table."""
    parsed = [parse_event(json.dumps(event).encode()) for event in events]
    await consumer.apply_batch([Item(None, HANDLERS[envelope.type], envelope, data) for envelope, data in parsed])


async def rows(consumer, model, *where, order=()):
    async with consumer.session_factory() as session:
        return (await session.exec(select(model).where(*where).order_by(*order))).all()


async def tier_moves(consumer, cif) -> list[tuple]:
    """(from, to, basis, request id) of every customer.tier-changed about `cif`, in publishing order."""
    found = await rows(consumer, OutboxMessage, OutboxMessage.key == cif,
                       OutboxMessage.event_type == "customer.tier-changed", order=[OutboxMessage.seq])
    return [(m.payload["data"]["from_tier"], m.payload["data"]["to_tier"], m.payload["data"]["basis"],
             m.payload.get("request_id")) for m in found]


async def day_totals(consumer, cif) -> dict[tuple[str, str], str]:
    found = await rows(consumer, BalanceDay, BalanceDay.cif == cif)
    return {(d.kind, d.day.isoformat()): str(d.balance) for d in found}


async def tier_and_version(consumer, cif) -> tuple[str, int]:
    [customer] = await rows(consumer, Customer, Customer.cif == cif)
    return customer.tier, customer.version


async def accounts(consumer, cif) -> dict[str, tuple]:
    """The CIF's accounts by id (ids are global: the focused tests name theirs after their CIF)."""
    found = await rows(consumer, DepositAccount, DepositAccount.cif == cif)
    return {a.account_id.removeprefix(cif): (a.product, str(a.balance), a.opened_on and a.opened_on.isoformat(),
                           a.closed_on and a.closed_on.isoformat()) for a in found}


def with_request(event: dict, request_id: str) -> dict:
    return {**event, "request_id": request_id}


def loan(event_type, cif, loan_id, day, **data):
    return core_event(event_type, cif, {"loan_id": loan_id, "customer_id": cif, **data}, business_date=day)


def closed(cif, account, day):
    return core_event("deposit.closed", cif, {"account_id": account, "customer_id": cif, "closed_on": day},
                      business_date=day)


async def test_a_tier_crossed_up_and_back_within_one_run_is_announced_twice(consumer):
    cif = unique_cif()
    await register(consumer, (cif, "retail"))
    await ingest(consumer, [
        deposit_opened(cif, cif + "D1", day="2026-11-02"),
        with_request(deposit_changed(cif, cif + "D1", "600000.00", "600000.00", day="2026-11-02"), "req-up"),    # gold
        with_request(deposit_changed(cif, cif + "D1", "-500000.00", "100000.00", day="2026-11-02"), "req-down"),  # back
    ])
    assert await tier_moves(consumer, cif) == [("standard", "gold", {"aum": "600000.00"}, "req-up"),
                                               ("gold", "standard", {"aum": "100000.00"}, "req-down")]
    assert await tier_and_version(consumer, cif) == ("standard", 3)
    assert await day_totals(consumer, cif) == {("deposits", "2026-11-02"): "100000.00"}   # the day's last total


async def test_a_closed_account_counts_nil_in_aum_even_with_a_balance_on_it(consumer):
    cif = unique_cif()
    await register(consumer, (cif, "retail"))
    await ingest(consumer, [deposit_changed(cif, cif + "W1", "400000.00", "400000.00", "wealth", day="2026-11-02"),
                            deposit_changed(cif, cif + "D1", "700000.00", "700000.00", day="2026-11-02")])
    await ingest(consumer, [closed(cif, cif + "W1", "2026-11-03"),                                    # 1.1M -> 700k
                            deposit_changed(cif, cif + "W1", "5000.00", "5000.00", "wealth", day="2026-11-04")])  # late
    assert await accounts(consumer, cif) == {"D1": ("demand", "700000.00", None, None),
                                             "W1": ("wealth", "5000.00", None, "2026-11-03")}
    assert await tier_moves(consumer, cif) == [("standard", "platinum", {"aum": "1100000.00"}, None),
                                               ("platinum", "gold", {"aum": "700000.00"}, None)]
    assert await day_totals(consumer, cif) == {("deposits", "2026-11-02"): "1100000.00",
                                               ("deposits", "2026-11-03"): "700000.00",
                                               ("deposits", "2026-11-04"): "700000.00"}


async def test_a_corporate_tier_follows_the_month_to_date_daily_average_across_days_and_runs(consumer):
    cif = unique_cif()
    await register(consumer, (cif, "corporate"))
    await ingest(consumer, [
        deposit_opened(cif, cif + "C1", day="2026-11-03"),
        deposit_changed(cif, cif + "C1", "150000.00", "150000.00", day="2026-11-03"),   # (0+0+150k)/3 = 50,000
        deposit_changed(cif, cif + "C1", "-60000.00", "90000.00", day="2026-11-05"),    # (0+0+150k+150k+90k)/5 = 78,000
    ])
    assert await tier_moves(consumer, cif) == []
    # a later poll: the earlier days come from the stored end-of-day totals
    await ingest(consumer, [
        loan_disbursed(cif, cif + "L1", "1200000.00", day="2026-11-10"),                # loans 1.2M/10 = 120,000
        deposit_changed(cif, cif + "C1", "310000.00", "400000.00", day="2026-11-12"),
    ])
    # 11-12: deposits 0,0 | 150k,150k | 90k x 7 (5th..11th) | 400k = 1,330,000 / 12 = 110,833.33 >= 100,000
    #        loans 0 x 9 | 1.2M x 3 (10th..12th) = 3,600,000 / 12 = 300,000.00
    assert await tier_moves(consumer, cif) == [
        ("standard", "one_to_one", {"avg_deposits": "110833.33", "avg_loans": "300000.00"}, None)]
    assert await day_totals(consumer, cif) == {
        ("deposits", "2026-11-03"): "150000.00", ("deposits", "2026-11-05"): "90000.00",
        ("loans", "2026-11-10"): "1200000.00", ("deposits", "2026-11-12"): "400000.00"}
    # December starts afresh from the carried balances: 0 deposits on the 1st is 0, the loan 1.2M >= 500k
    await ingest(consumer, [deposit_changed(cif, cif + "C1", "-400000.00", "0.00", day="2026-12-01")])
    assert await tier_and_version(consumer, cif) == ("one_to_one", 2)
    await ingest(consumer, [loan("loan.repaid", cif, cif + "L1", "2026-12-02", repaid_on="2026-12-02",
                                 principal_paid="1200000.00", interest_paid="0.00", outstanding_balance="0.00")])
    # 12-02: loans (1.2M + 0) / 2 = 600,000 still >= 500k
    assert await tier_moves(consumer, cif) == [
        ("standard", "one_to_one", {"avg_deposits": "110833.33", "avg_loans": "300000.00"}, None)]
    await ingest(consumer, [loan("loan.due", cif, cif + "L1", "2026-12-03", due_date="2027-01-03", principal_due="0.00",
                                 interest_due="0.00", outstanding_balance="0.00")])
    # 12-03: loans (1.2M + 0 + 0) / 3 = 400,000 < 500k; deposits 0
    assert (await tier_moves(consumer, cif))[1:] == [
        ("one_to_one", "standard", {"avg_deposits": "0.00", "avg_loans": "400000.00"}, None)]


async def test_a_holding_named_under_another_cif_stays_its_owners_and_counts_only_for_its_owner(consumer):
    owner, other = unique_cif(), unique_cif()
    await register(consumer, (owner, "retail"), (other, "retail"))
    await ingest(consumer, [deposit_changed(owner, owner + "X1", "800000.00", "800000.00", day="2026-11-02"),   # gold
                            deposit_changed(other, other + "B1", "50000.00", "50000.00", day="2026-11-02")])
    await ingest(consumer, [
        deposit_changed(other, owner + "X1", "100000.00", "900000.00", day="2026-11-03"),  # named under other
        deposit_changed(owner, owner + "A2", "200000.00", "200000.00", day="2026-11-03"),  # owner: 900k + 200k
    ])
    assert await accounts(consumer, owner) == {"X1": ("demand", "900000.00", None, None),
                                               "A2": ("demand", "200000.00", None, None)}
    assert await accounts(consumer, other) == {"B1": ("demand", "50000.00", None, None)}
    assert await day_totals(consumer, other) == {("deposits", "2026-11-02"): "50000.00",
                                                 ("deposits", "2026-11-03"): "50000.00"}
    assert await day_totals(consumer, owner) == {("deposits", "2026-11-02"): "800000.00",
                                                 ("deposits", "2026-11-03"): "1100000.00"}
    # a poll where only the other CIF speaks of X1: read by its id, written back under its owner
    await ingest(consumer, [deposit_changed(other, owner + "X1", "50000.00", "950000.00", day="2026-11-04")])
    assert (await accounts(consumer, owner))["X1"] == ("demand", "950000.00", None, None)
    assert (await day_totals(consumer, other))[("deposits", "2026-11-04")] == "50000.00"
    assert await tier_moves(consumer, other) == []
    assert await tier_moves(consumer, owner) == [("standard", "gold", {"aum": "800000.00"}, None),
                                                 ("gold", "platinum", {"aum": "1100000.00"}, None)]


def mixed_stream() -> list[dict]:
    """One poll of everything interleaved: repeated accounts, same-day movements, a first mention without
    an opening, a closure, tiers that cross and cross back (retail AUM; corporate daily averages over a
    month end), loans through their whole life, a request id, a duplicate delivery, tasks opened twice
    and closed."""
    r, k = RETAIL, CORPORATE
    twice = deposit_changed(r, "RD1", "300000.00", "600000.00", day="2026-11-02")
    return [
        deposit_opened(r, "RD1", day="2026-11-02"),
        deposit_changed(r, "RD1", "300000.00", "300000.00", day="2026-11-02"),
        twice,                                                                                   # AUM 600k
        deposit_opened(r, "RW1", "wealth", day="2026-11-03"),
        with_request(deposit_changed(r, "RW1", "1500000.00", "1500000.00", "wealth", day="2026-11-03"),
                     "req-private"),                                                             # 2.1M
        deposit_changed(r, "RX9", "50000.00", "50000.00", "savings", day="2026-11-03"),         # never opened
        deposit_changed(r, "RD1", "-500000.00", "100000.00", day="2026-11-04"),                  # 1.65M
        closed(r, "RW1", "2026-11-05"),                                                          # 150k
        deposit_changed(r, "RD1", "500000.00", "600000.00", day="2026-11-05"),                   # 650k
        deposit_opened(k, "KC1", day="2026-11-02"),
        deposit_changed(k, "KC1", "3000000.00", "3000000.00", day="2026-11-02"),
        deposit_changed(k, "KC1", "-3000000.00", "0.00", day="2026-11-20"),
        loan_disbursed(r, "RL1", "100000.00", day="2026-11-05"),
        loan("loan.repaid", r, "RL1", "2026-11-06", repaid_on="2026-11-06", principal_paid="40000.00",
             interest_paid="300.00", outstanding_balance="60000.00"),
        deposit_changed(k, "KC1", "0.00", "0.00", day="2026-12-10"),
        loan_disbursed(k, "KL1", "6000000.00", day="2026-12-10"),
        loan("loan.due", k, "KL1", "2026-12-10", due_date="2027-01-10", principal_due="1500000.00",
             interest_due="20000.00", outstanding_balance="6000000.00"),
        loan("loan.overdue", k, "KL1", "2026-12-10", as_of="2026-12-10", days_overdue=3,
             overdue_principal="1500000.00", overdue_interest="20000.00"),
        loan("loan.classified", k, "KL1", "2026-12-10", as_of="2026-12-10", from_class="normal",
             to_class="special_mention"),
        loan("loan.repaid", k, "KL1", "2026-12-10", repaid_on="2026-12-10", principal_paid="6000000.00",
             interest_paid="20000.00", outstanding_balance="0.00"),
        loan("loan.overdue", k, "KL2", "2026-12-10", as_of="2026-12-10", days_overdue=1,         # never disbursed
             overdue_principal="10.00", overdue_interest="1.00"),
        deposit_opened(STRANGER, "UA1", "time", day="2026-11-02", maturity_date="2027-11-02"),
        deposit_changed(STRANGER, "UA1", "900000.00", "900000.00", "time", day="2026-11-02"),
        twice,                                                                                   # redelivered
        task("task.created", "T1", kind="loan_due", rule="loan-due", due_date="2026-12-01"),
        task("task.created", "T2", kind="loan_due", rule="loan-due", due_date="2026-12-02"),
        task("task.created", "T1", kind="renewal", rule="renewal", due_date="2026-12-09"),     # re-sent: first stays
        task("task.completed", "T2", due_date="2026-12-02", completed_on="2026-12-01", on_time=True),
        task("task.cancelled", "T9", reason="never announced"),
    ]


def task(event_type, task_id, **data):
    return core_event(event_type, RETAIL, {"task_id": task_id, "customer_id": RETAIL, "assignee": "rm01", **data})


async def test_one_poll_of_interleaved_deposits_loans_and_tasks_leaves_the_book_worked_out_by_hand(consumer):
    await register(consumer, (RETAIL, "retail"), (CORPORATE, "corporate"))
    await ingest(consumer, mixed_stream())
    assert await tier_moves(consumer, RETAIL) == [
        ("standard", "gold", {"aum": "600000.00"}, None),
        ("gold", "private", {"aum": "2100000.00"}, "req-private"),
        ("private", "platinum", {"aum": "1650000.00"}, None),                 # 100k + 1.5M + 50k
        ("platinum", "standard", {"aum": "150000.00"}, None),                 # the closed wealth account: nil
        ("standard", "gold", {"aum": "650000.00"}, None)]
    assert await tier_moves(consumer, CORPORATE) == [
        # 11-02: (0 + 3M) / 2; on 11-20 (3M x 18 days) / 20 = 2.7M keeps it
        ("standard", "one_to_one", {"avg_deposits": "1500000.00", "avg_loans": "0.00"}, None),
        # 12-10: 0 carried from 11-20 over December
        ("one_to_one", "standard", {"avg_deposits": "0.00", "avg_loans": "0.00"}, None),
        # 12-10: loans 6M / 10 days
        ("standard", "one_to_one", {"avg_deposits": "0.00", "avg_loans": "600000.00"}, None),
        ("one_to_one", "standard", {"avg_deposits": "0.00", "avg_loans": "0.00"}, None)]
    assert await tier_and_version(consumer, RETAIL) == ("gold", 6)
    assert await tier_and_version(consumer, CORPORATE) == ("standard", 5)
    assert await tier_moves(consumer, STRANGER) == []
    assert await day_totals(consumer, RETAIL) == {
        ("deposits", "2026-11-02"): "600000.00", ("deposits", "2026-11-03"): "2150000.00",
        ("deposits", "2026-11-04"): "1650000.00", ("deposits", "2026-11-05"): "650000.00",
        ("loans", "2026-11-05"): "100000.00", ("loans", "2026-11-06"): "60000.00"}
    assert await day_totals(consumer, CORPORATE) == {
        ("deposits", "2026-11-02"): "3000000.00", ("deposits", "2026-11-20"): "0.00",
        ("deposits", "2026-12-10"): "0.00", ("loans", "2026-12-10"): "0.00"}
    assert await day_totals(consumer, STRANGER) == {("deposits", "2026-11-02"): "900000.00"}
    assert await accounts(consumer, RETAIL) == {
        "RD1": ("demand", "600000.00", "2026-11-02", None), "RW1": ("wealth", "0.00", "2026-11-03", "2026-11-05"),
        "RX9": ("savings", "50000.00", None, None)}
    assert await accounts(consumer, CORPORATE) == {"KC1": ("demand", "0.00", "2026-11-02", None)}
    [stranger] = await rows(consumer, DepositAccount, DepositAccount.cif == STRANGER)
    assert (stranger.account_id, stranger.product, str(stranger.balance), stranger.maturity_date.isoformat()) == (
        "UA1", "time", "900000.00", "2027-11-02")
    loans = {x.loan_id: x for x in await rows(consumer, LoanHolding, LoanHolding.cif.in_([RETAIL, CORPORATE]))}
    assert {i: (x.cif, x.product, x.principal and str(x.principal), str(x.outstanding), x.classification,
                x.days_overdue, str(x.overdue_principal), str(x.overdue_interest),
                x.next_due_date and x.next_due_date.isoformat()) for i, x in loans.items()} == {
        "RL1": (RETAIL, "working_capital", "100000.00", "60000.00", "normal", 0, "0.00", "0.00", None),
        # repaid in full: nothing overdue any more, the classification stays
        "KL1": (CORPORATE, "working_capital", "6000000.00", "0.00", "special_mention", 0, "0.00", "0.00",
                "2027-01-10"),
        "KL2": (CORPORATE, None, None, "0.00", "normal", 1, "10.00", "1.00", None)}
    assert [(t.task_id, t.kind, t.due_date.isoformat()) for t in await rows(consumer, OpenTask, OpenTask.cif == RETAIL)
            ] == [("T1", "loan_due", "2026-12-01")]

"""A polled batch of core-banking events, applied set-based, leaves exactly the book that applying the
same events one at a time (each in its own transaction, per-event handlers) leaves."""
import json
import uuid

from sqlalchemy import func
from sqlmodel import select

from services.customer.config import Settings
from services.customer.handlers import HANDLERS, PER_EVENT_HANDLERS
from services.customer.handover import OpenTask
from services.customer.holdings import BalanceDay, DepositAccount, LoanHolding
from services.customer.models import Customer
from services.customer.seed import seed_demo
from shared.consumer import EventConsumer
from shared.handlers import Item
from shared.db import make_engine, make_session_factory
from shared.events import parse_event
from shared.outbox import OutboxMessage
from tests.customer.helpers import deposit_changed, deposit_opened, loan_disbursed
from tests.support import core_event

RETAIL, CORPORATE, STRANGER = "CBATCHR001", "CBATCHK001", "CBATCHU001"   # the stranger is no customer of ours


def loan(event_type, cif, loan_id, day, **data):
    return core_event(event_type, cif, {"loan_id": loan_id, "customer_id": cif, **data}, business_date=day)


def stream() -> list[dict]:
    """Repeated accounts, same-day movements, a first mention without an opening, a closure, tiers that
    cross and cross back within the batch (retail AUM; corporate daily averages over a month end), loans
    through their whole life, a registered request id, a duplicate delivery, and tasks opened twice and closed."""
    r, k = RETAIL, CORPORATE
    twice = deposit_changed(r, "RD1", "300000.00", "600000.00", day="2026-11-02")              # gold
    private = deposit_changed(r, "RW1", "1500000.00", "1500000.00", "wealth", day="2026-11-03")  # AUM 2.1M
    private["request_id"] = "req-private"
    return [
        deposit_opened(r, "RD1", day="2026-11-02"),
        deposit_changed(r, "RD1", "300000.00", "300000.00", day="2026-11-02"),
        twice,
        deposit_opened(r, "RW1", "wealth", day="2026-11-03"),
        private,
        deposit_changed(r, "RX9", "50000.00", "50000.00", "savings", day="2026-11-03"),         # never opened
        deposit_changed(r, "RD1", "-500000.00", "100000.00", day="2026-11-04"),                  # platinum
        core_event("deposit.closed", r, {"account_id": "RW1", "customer_id": r, "closed_on": "2026-11-05"},
                   business_date="2026-11-05"),                                                  # standard
        deposit_changed(r, "RD1", "500000.00", "600000.00", day="2026-11-05"),                   # gold again
        deposit_opened(k, "KC1", day="2026-11-02"),
        deposit_changed(k, "KC1", "3000000.00", "3000000.00", day="2026-11-02"),                 # one-to-one
        deposit_changed(k, "KC1", "-3000000.00", "0.00", day="2026-11-20"),
        loan_disbursed(r, "RL1", "100000.00", day="2026-11-05"),
        loan("loan.repaid", r, "RL1", "2026-11-06", repaid_on="2026-11-06", principal_paid="40000.00",
             interest_paid="300.00", outstanding_balance="60000.00"),
        deposit_changed(k, "KC1", "0.00", "0.00", day="2026-12-10"),                             # December: standard
        loan_disbursed(k, "KL1", "6000000.00", day="2026-12-10"),                                # one-to-one
        loan("loan.due", k, "KL1", "2026-12-10", due_date="2027-01-10", principal_due="1500000.00",
             interest_due="20000.00", outstanding_balance="6000000.00"),
        loan("loan.overdue", k, "KL1", "2026-12-10", as_of="2026-12-10", days_overdue=3,
             overdue_principal="1500000.00", overdue_interest="20000.00"),
        loan("loan.classified", k, "KL1", "2026-12-10", as_of="2026-12-10", from_class="normal",
             to_class="special_mention"),
        loan("loan.repaid", k, "KL1", "2026-12-10", repaid_on="2026-12-10", principal_paid="6000000.00",
             interest_paid="20000.00", outstanding_balance="0.00"),                              # standard
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


async def fresh_book(databases):
    engine = make_engine(await databases("customer"))
    consumer = EventConsumer(name="customer", topics=[], handlers=HANDLERS, settings=Settings(),
                             session_factory=make_session_factory(engine))
    async with consumer.session_factory() as session:
        await seed_demo(session)
        for cif, kind in ((RETAIL, "retail"), (CORPORATE, "corporate")):
            session.add(Customer(id=uuid.uuid5(uuid.NAMESPACE_OID, cif), cif=cif, name=cif, kind=kind,
                                 unit_code="SB01", unit_path="HQ/BR01/SB01", owner="rm01"))
        await session.commit()
        seeded = (await session.execute(select(func.max(OutboxMessage.seq)))).scalar() or 0
    return engine, consumer, seeded


async def book(consumer, seeded) -> dict:
    """Everything the events may have changed, in a form two databases can be compared by."""
    async with consumer.session_factory() as session:
        async def rows(model, *order):
            return [row.model_dump() for row in (await session.exec(select(model).order_by(*order))).all()]
        customers = (await session.exec(select(Customer).where(Customer.cif.in_([RETAIL, CORPORATE]))
                                        .order_by(Customer.cif))).all()
        outbox = (await session.exec(select(OutboxMessage).where(OutboxMessage.seq > seeded)
                                     .order_by(OutboxMessage.seq))).all()
        return {
            "deposits": await rows(DepositAccount, DepositAccount.account_id),
            "open tasks": await rows(OpenTask, OpenTask.task_id),
            "loans": await rows(LoanHolding, LoanHolding.loan_id),
            "days": await rows(BalanceDay, BalanceDay.cif, BalanceDay.kind, BalanceDay.day),
            "customers": [(c.cif, c.tier, c.version) for c in customers],
            "outbox": [(m.topic, m.key, m.event_type, {k: v for k, v in m.payload.items()
                                                      if k not in ("id", "occurred_at")}) for m in outbox],
        }


def parsed(events):
    return [parse_event(json.dumps(event).encode()) for event in events]


async def test_a_batch_applied_set_based_leaves_the_book_one_event_at_a_time_leaves(databases):
    events = parsed(stream())
    engine_one, one_by_one, seeded_one = await fresh_book(databases)
    engine_batch, batch, seeded_batch = await fresh_book(databases)
    try:
        for envelope, data in events:
            await one_by_one.apply(PER_EVENT_HANDLERS[envelope.type], envelope, data)
        await batch.apply_batch([Item(None, batch.handlers[envelope.type], envelope, data) for envelope, data in events])
        expected, actual = await book(one_by_one, seeded_one), await book(batch, seeded_batch)
    finally:
        await engine_one.dispose()
        await engine_batch.dispose()
    moves = [(m[1], m[3]["data"]["from_tier"], m[3]["data"]["to_tier"], m[3].get("request_id"))
             for m in expected["outbox"]]
    assert moves == [  # the reference itself: every crossing, in order, the request id carried through
        (RETAIL, "standard", "gold", None), (RETAIL, "gold", "private", "req-private"),
        (RETAIL, "private", "platinum", None), (RETAIL, "platinum", "standard", None),
        (RETAIL, "standard", "gold", None), (CORPORATE, "standard", "one_to_one", None),
        (CORPORATE, "one_to_one", "standard", None), (CORPORATE, "standard", "one_to_one", None),
        (CORPORATE, "one_to_one", "standard", None)]
    assert [(t["task_id"], t["kind"]) for t in expected["open tasks"]] == [("T1", "loan_due")]
    for part in expected:
        assert actual[part] == expected[part], part

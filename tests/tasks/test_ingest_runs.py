"""The set-based handlers (a polled run applied in memory) must leave exactly what the event-by-event
handlers leave: the same tasks (kind, owner, due date, status, reason, rule version…), the same
projections, and the same outbox events in the same order per customer."""
import json
from contextlib import AsyncExitStack
from decimal import Decimal

from sqlmodel import select

from services.tasks.handlers import HANDLERS, PER_EVENT_HANDLERS
from services.tasks.models import DepositDay, LoanBook, RuleSetting, Task
from shared.consumer import EventConsumer
from shared.handlers import Item, registered
from shared.events import parse_event
from shared.outbox import OutboxMessage
from shared.settings import ServiceSettings
from tests.support import core_event, loan_due, sessions_for
from tests.tasks.conftest import customer_event, staff_event

MON, TUE, WED = "2026-11-23", "2026-11-24", "2026-11-25"
RM, GOV, NOBODY = "C000000001", "C000000002", "C000000099"   # NOBODY is in no one's book


def deposit(cif: str, account: str, amount: str, balance: str, day: str) -> dict:
    return core_event("deposit.changed", cif, {"account_id": account, "customer_id": cif, "product": "demand",
                                               "currency": "CNY", "amount": amount, "balance": balance},
                      business_date=day)


def opened(cif: str, account: str, product: str, day: str, **extra) -> dict:
    return core_event("deposit.opened", cif, {"account_id": account, "customer_id": cif, "product": product,
                                              "currency": "CNY", "opened_on": day, **extra}, business_date=day)


def loan(kind: str, cif: str, day: str, **data) -> dict:
    return core_event(kind, cif, {"customer_id": cif, **data}, business_date=day)


def disbursed(cif: str, loan_id: str, day: str, principal: str = "400000.00") -> dict:
    return loan("loan.disbursed", cif, day, loan_id=loan_id, product="working_capital", principal=principal,
                currency="CNY", disbursed_on=day, maturity_date="2027-11-23", government_related=False,
                classification="normal")


def repaid(cif: str, loan_id: str, day: str, paid: str, outstanding: str) -> dict:
    return loan("loan.repaid", cif, day, loan_id=loan_id, repaid_on=day, principal_paid=paid,
                interest_paid="0.00", outstanding_balance=outstanding)


PRELUDE = [  # what the database already knows when the run arrives
    staff_event("risk01", ["risk_manager"], "HQ/BR01"),
    customer_event("customer.registered", RM), customer_event("customer.assigned", RM, owner="rm01"),
    customer_event("customer.registered", GOV, government_related=True),
    customer_event("customer.assigned", GOV, owner="rm02", government_related=True),
    deposit(GOV, "A-PREV", "-600000.00", "1400000.00", MON),        # an open retention call from Monday
    disbursed(RM, "L-SETTLE", MON),
    loan_due(RM, "L-SETTLE", "2027-01-05", principal_due="100000.00", interest_due="0.00", business_date=MON),
]

RUN = [
    opened(RM, "W-1", "wealth", TUE),
    opened(RM, "T-1", "time", TUE, maturity_date="2027-02-22"),
    opened(RM, "D-1", "demand", TUE),
    # 20 % out, then 35 % (crosses the share), part back, more out (the call is refreshed), all back
    # (cancelled) and a large inflow the same day (follow-up), raised again by the next inflow
    deposit(RM, "A-1", "-200000.00", "800000.00", TUE),
    deposit(RM, "A-1", "-150000.00", "650000.00", TUE),
    deposit(RM, "A-1", "100000.00", "750000.00", TUE),
    deposit(RM, "A-1", "-300000.00", "450000.00", TUE),
    deposit(RM, "A-1", "700000.00", "1150000.00", TUE),
    deposit(RM, "A-1", "50000.00", "1200000.00", TUE),
    deposit(RM, "A-1", "0.00", "1200000.00", TUE),
    # Monday's call is returned in two steps the next day, the second also a large inflow
    deposit(GOV, "A-PREV", "300000.00", "1100000.00", TUE),
    deposit(GOV, "A-PREV", "300000.00", "1400000.00", TUE),
    deposit(GOV, "A-SMALL", "-1000.00", "99000.00", TUE),            # 1 %: nothing
    deposit(NOBODY, "A-9", "600000.00", "600000.00", TUE),          # nobody's customer: the unit's queue
    deposit(RM, "A-2", "-450000.00", "9550000.00", WED),            # over the version-2 amount (400,000)
    deposit(RM, "A-2", "-10000.00", "9540000.00", WED),
    # loans, interleaved as on the loans topic
    disbursed(RM, "L-1", TUE),
    loan_due(RM, "L-1", "2027-01-05", business_date=TUE),
    loan_due(GOV, "L-G", "2027-01-05", business_date=TUE),           # government: 60 days ahead
    loan_due(RM, "L-1", "2027-01-05", principal_due="120000.00", business_date=TUE),   # re-sent: same task
    loan("loan.overdue", RM, TUE, loan_id="L-SETTLE", as_of=TUE, days_overdue=3, overdue_principal="5000.00",
         overdue_interest="50.00"),
    loan("loan.classified", RM, TUE, loan_id="L-SETTLE", as_of=TUE, from_class="normal", to_class="substandard"),
    repaid(RM, "L-1", TUE, "120350.00", "279650.00"),                # covers the due: collection cancelled
    repaid(RM, "L-SETTLE", TUE, "400000.00", "0.00"),                # settled: everything on it closes
    loan("loan.overdue", GOV, WED, loan_id="L-G", as_of=WED, days_overdue=1, overdue_principal="1.00",
         overdue_interest="0.00"),
]


async def _state(sessions) -> dict:
    async with sessions() as s:
        tasks = (await s.exec(select(Task))).all()
        outbox = (await s.exec(select(OutboxMessage).order_by(OutboxMessage.seq))).all()
        days = (await s.exec(select(DepositDay))).all()
        loans = (await s.exec(select(LoanBook))).all()
    key = {str(t.id): (t.rule, t.subject, t.anchor_date.isoformat()) for t in tasks}
    facts = sorted((t.rule, t.subject, t.anchor_date, t.rule_version, t.kind, t.priority, t.cif, t.customer_ref,
                    t.assignee, t.team, t.unit_path, t.due_date, t.status, t.cancel_reason, t.amount,
                    json.dumps(t.params, sort_keys=True), t.source_event_id, t.copied_to, t.tier_rank, t.risk_rank)
                   for t in tasks)
    events: dict[str, list] = {}   # task ids differ between databases: a task is known by its key
    for row in outbox:
        data = {k: v for k, v in row.payload["data"].items() if k != "task_id"}
        events.setdefault(row.key, []).append((row.event_type, key[row.payload["data"]["task_id"]], data))
    return {"tasks": facts, "events": events,
            "days": sorted((d.account_id, d.day, d.cif, d.opening_balance, d.outflow, d.inflow) for d in days),
            "loans": sorted((b.loan_id, b.cif, b.principal, b.outstanding, b.classification) for b in loans)}


async def _fresh(databases, sessions_stack) -> tuple:
    url = await databases("tasks")
    sessions = await sessions_stack.enter_async_context(sessions_for(url))
    async with sessions() as s:   # rules changed by an admin: the tasks must record version 2
        s.add(RuleSetting(name="large_outflow", version=2, params={"amount": 400000}))
        s.add(RuleSetting(name="loan_due", version=2, params={"lead_days": 25}))
        await s.commit()
    return sessions, EventConsumer(name="tasks", topics=[], handlers=HANDLERS, settings=ServiceSettings(),
                                   session_factory=sessions)


def _items(events: list[dict], handlers: dict) -> list[Item]:
    parsed = [parse_event(json.dumps(e).encode()) for e in events]
    handlers = registered(handlers)
    return [Item(None, handlers[envelope.type], envelope, data) for envelope, data in parsed]


async def test_a_polled_run_leaves_exactly_what_applying_its_events_one_at_a_time_leaves(databases):
    async with AsyncExitStack() as stack:
        one_db, one = await _fresh(databases, stack)
        run_db, run = await _fresh(databases, stack)
        for item in _items(PRELUDE, PER_EVENT_HANDLERS):
            await one.apply_batch([item])
            await run.apply_batch([item])
        for item in _items(RUN, PER_EVENT_HANDLERS):
            await one.apply_batch([item])
        await run.apply_batch(_items(RUN, HANDLERS))          # one poll: every run of it in one commit
        one_state, run_state = await _state(one_db), await _state(run_db)

    assert run_state["days"] == one_state["days"]
    assert run_state["loans"] == one_state["loans"]
    assert run_state["tasks"] == one_state["tasks"]
    assert run_state["events"] == one_state["events"]
    # the stream did reach every rule it means to exercise
    statuses = {(t[0], t[1]): (t[12], t[13]) for t in one_state["tasks"]}
    assert statuses[("large_outflow", "A-1")] == ("cancelled", "deposit_returned")
    assert statuses[("large_outflow", "A-PREV")] == ("cancelled", "deposit_returned")
    assert statuses[("large_outflow", "A-2")][0] == "open"
    assert statuses[("inflow_follow_up", "A-9")][0] == "open"
    assert statuses[("loan_due", "L-1")] == ("cancelled", "loan_repaid")
    assert statuses[("loan_overdue", "L-SETTLE")] == ("cancelled", "loan_repaid")
    assert statuses[("post_loan_inspection", "L-SETTLE")] == ("cancelled", "loan_settled")
    assert statuses[("loan_downgraded", "L-SETTLE")][0] == "open"
    a1 = next(t for t in one_state["tasks"] if t[:2] == ("large_outflow", "A-1"))
    assert (a1[3], a1[14]) == (2, Decimal("650000.00"))    # version 2, refreshed by the third outflow
    follow_up = next(t for t in one_state["tasks"] if t[:2] == ("inflow_follow_up", "A-1"))
    assert follow_up[14] == Decimal("850000.00")            # raised again by the next inflow
    assert [e[0] for e in one_state["events"][RM]].count("task.cancelled") >= 3

"""A polled run of banking events, applied set-based in one commit, leaves the tasks, projections and
outbox events the rules ask for — each stated here by hand (rule, subject, due date on the bank
calendar, amount, status, cancel reason, rule version, owner, ranks) — and the same state when its
events arrive one poll each."""
import json
from contextlib import AsyncExitStack
from datetime import date
from decimal import Decimal

from sqlmodel import select

from services.tasks.handlers import HANDLERS
from services.tasks.models import DepositDay, LoanBook, RuleSetting, Task
from shared.consumer import EventConsumer
from shared.events import parse_event
from shared.handlers import Item
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

D = date.fromisoformat
# (rule, subject, anchor, rule version, assignee, due date, status, cancel reason, amount, tier rank, risk rank)
# RM and GOV are standard tier (4), NOBODY has no book (5); risk: normal 4, substandard 2, no loan class 9.
EXPECTED_TASKS = sorted([
    ("post_loan_inspection", "L-SETTLE", D(MON), 1, "rm01", D("2026-12-08"),   # Monday + 15 days, a Tuesday
     "cancelled", "loan_settled", Decimal("400000.00"), 4, 2),                   # re-ranked by the downgrade
    ("loan_due", "L-SETTLE", D("2027-01-05"), 2, "rm01", D("2026-12-11"),      # version 2: 25 days ahead
     "cancelled", "loan_repaid", Decimal("100000.00"), 4, 2),
    ("large_outflow", "A-PREV", D(MON), 2, "rm02", D(TUE),
     "cancelled", "deposit_returned", Decimal("600000.00"), 4, 9),              # 300k + 300k back on Tuesday
    ("inflow_follow_up", "W-1", D(TUE), 1, "rm01", D(WED), "open", None, None, 4, 9),
    ("time_deposit_maturity", "T-1", D("2027-02-22"), 1, "rm01", D("2027-02-15"), "open", None, None, 4, 9),
    ("large_outflow", "A-1", D(TUE), 2, "rm01", D(WED),
     "cancelled", "deposit_returned", Decimal("650000.00"), 4, 9),              # refreshed at 650k, 700k back
    ("inflow_follow_up", "A-1", D(TUE), 1, "rm01", D(WED), "open", None, Decimal("850000.00"), 4, 9),
    ("inflow_follow_up", "A-PREV", D(TUE), 1, "rm02", D(WED), "open", None, Decimal("600000.00"), 4, 9),
    ("inflow_follow_up", "A-9", D(TUE), 1, None, D(WED), "open", None, Decimal("600000.00"), 5, 9),
    ("large_outflow", "A-2", D(WED), 2, "rm01", D("2026-11-26"), "open", None, Decimal("460000.00"), 4, 9),
    ("post_loan_inspection", "L-1", D(TUE), 1, "rm01", D("2026-12-09"), "open", None, Decimal("400000.00"), 4, 4),
    ("loan_due", "L-1", D("2027-01-05"), 2, "rm01", D("2026-12-11"),
     "cancelled", "loan_repaid", Decimal("120350.00"), 4, 4),                   # the re-sent amount
    ("loan_due", "L-G", D("2027-01-05"), 2, "rm02", D(TUE), "open", None, Decimal("100350.00"), 4, 9),  # 60 days: past
    ("loan_overdue", "L-SETTLE", D("2026-11-21"), 1, "rm01", D(TUE),           # anchored on the episode's first day
     "cancelled", "loan_repaid", Decimal("5050.00"), 4, 2),
    ("loan_downgraded", "L-SETTLE", D(TUE), 1, "rm01", D("2026-11-27"), "open", None, Decimal("400000.00"), 4, 2),
    ("loan_overdue", "L-G", D(TUE), 1, "rm02", D(WED), "open", None, Decimal("1.00"), 4, 9),
])

# per customer (the outbox key), in the order the events happened: (type, rule, subject, reason or due date)
EXPECTED_EVENTS = {
    RM: [("task.created", "post_loan_inspection", "L-SETTLE", "2026-12-08"),
         ("task.created", "loan_due", "L-SETTLE", "2026-12-11"),
         ("task.created", "inflow_follow_up", "W-1", WED),
         ("task.created", "time_deposit_maturity", "T-1", "2027-02-15"),
         ("task.created", "large_outflow", "A-1", WED),
         ("task.cancelled", "large_outflow", "A-1", "deposit_returned"),
         ("task.created", "inflow_follow_up", "A-1", WED),
         ("task.created", "large_outflow", "A-2", "2026-11-26"),
         ("task.created", "post_loan_inspection", "L-1", "2026-12-09"),
         ("task.created", "loan_due", "L-1", "2026-12-11"),
         ("task.created", "loan_overdue", "L-SETTLE", TUE),
         ("task.created", "loan_downgraded", "L-SETTLE", "2026-11-27"),
         ("task.cancelled", "loan_due", "L-1", "loan_repaid"),
         ("task.cancelled", "loan_due", "L-SETTLE", "loan_repaid"),
         ("task.cancelled", "loan_overdue", "L-SETTLE", "loan_repaid"),
         ("task.cancelled", "post_loan_inspection", "L-SETTLE", "loan_settled")],
    GOV: [("task.created", "large_outflow", "A-PREV", TUE),
          ("task.cancelled", "large_outflow", "A-PREV", "deposit_returned"),
          ("task.created", "inflow_follow_up", "A-PREV", WED),
          ("task.created", "loan_due", "L-G", TUE),
          ("task.created", "loan_overdue", "L-G", WED)],
    NOBODY: [("task.created", "inflow_follow_up", "A-9", WED)],
}


async def _state(sessions) -> dict:
    async with sessions() as s:
        tasks = (await s.exec(select(Task))).all()
        outbox = (await s.exec(select(OutboxMessage).order_by(OutboxMessage.seq))).all()
        days = (await s.exec(select(DepositDay))).all()
        loans = (await s.exec(select(LoanBook))).all()
    by_id = {str(t.id): t for t in tasks}
    events: dict[str, list] = {}
    for row in outbox:
        data, task = row.payload["data"], by_id[row.payload["data"]["task_id"]]
        assert (data["customer_id"], data["assignee"]) == (task.cif, task.assignee)
        events.setdefault(row.key, []).append((row.event_type, task.rule, task.subject,
                                               data.get("reason") or data.get("due_date")))
    return {"tasks": {(t.rule, t.subject): t for t in tasks}, "events": events,
            "rows": sorted((t.rule, t.subject, t.anchor_date, t.rule_version, t.assignee, t.due_date, t.status,
                            t.cancel_reason, t.amount, t.tier_rank, t.risk_rank) for t in tasks),
            "facts": sorted((t.rule, t.subject, t.kind, t.priority, t.cif, t.customer_ref, t.team, t.unit_path,
                             json.dumps(t.params, sort_keys=True), t.source_event_id, t.copied_to) for t in tasks),
            "days": sorted((d.account_id, d.day.isoformat(), d.opening_balance, d.outflow, d.inflow) for d in days),
            "loans": sorted((b.loan_id, b.principal, b.outstanding, b.classification) for b in loans)}


async def _fresh(databases, stack) -> tuple:
    sessions = await stack.enter_async_context(sessions_for(await databases("tasks")))
    async with sessions() as s:   # rules changed by an admin: the tasks must record version 2
        s.add(RuleSetting(name="large_outflow", version=2, params={"amount": 400000}))
        s.add(RuleSetting(name="loan_due", version=2, params={"lead_days": 25}))
        await s.commit()
    return sessions, EventConsumer(name="tasks", topics=[], handlers=HANDLERS, settings=ServiceSettings(),
                                   session_factory=sessions)


def _items(events: list[dict]) -> list[Item]:
    parsed = [parse_event(json.dumps(e).encode()) for e in events]
    return [Item(None, HANDLERS[envelope.type], envelope, data) for envelope, data in parsed]


async def test_a_polled_run_raises_refreshes_and_cancels_the_tasks_its_events_ask_for(databases):
    async with AsyncExitStack() as stack:
        sessions, consumer = await _fresh(databases, stack)
        for item in _items(PRELUDE):
            await consumer.apply_batch([item])
        await consumer.apply_batch(_items(RUN))          # one poll: every run of it in one commit
        state = await _state(sessions)

    assert state["rows"] == EXPECTED_TASKS
    assert state["events"] == EXPECTED_EVENTS
    assert state["days"] == [   # (account, day, opening balance, outflow, inflow)
        ("A-1", TUE, Decimal("1000000.00"), Decimal("650000.00"), Decimal("850000.00")),
        ("A-2", WED, Decimal("10000000.00"), Decimal("460000.00"), Decimal("0.00")),
        ("A-9", TUE, Decimal("0.00"), Decimal("0.00"), Decimal("600000.00")),
        ("A-PREV", MON, Decimal("2000000.00"), Decimal("600000.00"), Decimal("0.00")),
        ("A-PREV", TUE, Decimal("800000.00"), Decimal("0.00"), Decimal("600000.00")),
        ("A-SMALL", TUE, Decimal("100000.00"), Decimal("1000.00"), Decimal("0.00"))]
    assert state["loans"] == [("L-1", Decimal("400000.00"), Decimal("279650.00"), "normal"),
                              ("L-SETTLE", Decimal("400000.00"), Decimal("0.00"), "substandard")]
    tasks = state["tasks"]
    assert {(t.rule, t.kind, t.priority) for t in tasks.values()} == {
        ("large_outflow", "retention_call", 1), ("inflow_follow_up", "follow_up", 2),
        ("time_deposit_maturity", "maturity_call", 2), ("loan_due", "collection", 2),
        ("loan_overdue", "overdue_collection", 1), ("loan_downgraded", "risk_review", 2),
        ("post_loan_inspection", "post_loan_inspection", 2)}
    refs = {cif: customer_event("customer.registered", cif)["data"]["customer_ref"] for cif in (RM, GOV)}
    assert {(t.cif, t.customer_ref, t.team) for t in tasks.values()} == {
        (RM, refs[RM], "T01"), (GOV, refs[GOV], "T01"), (NOBODY, None, None)}
    # what each task says and who else sees it
    assert tasks[("large_outflow", "A-1")].params == {
        "account_id": "A-1", "outflow": "650000.00", "share_pct": "65.0", "opening_balance": "1000000.00",
        "business_days": 1, "returned": "700000.00"}
    assert tasks[("large_outflow", "A-2")].params["share_pct"] == "4.6"
    assert tasks[("inflow_follow_up", "W-1")].params["why_key"] == "new_wealth"
    assert tasks[("inflow_follow_up", "A-1")].params["why_key"] == "large_inflow"
    assert (tasks[("loan_due", "L-G")].params["lead_days"], tasks[("loan_due", "L-1")].params["lead_days"]) == (60, 25)
    assert tasks[("loan_due", "L-1")].params["principal_due"] == "120000.00"
    assert {k: t.copied_to for k, t in tasks.items() if t.copied_to} == {("loan_overdue", "L-SETTLE"): "risk01",
                                                                        ("loan_overdue", "L-G"): "risk01"}
    assert (tasks[("inflow_follow_up", "A-9")].unit_path, tasks[("inflow_follow_up", "A-9")].team) == ("", None)
    assert {t.unit_path for k, t in tasks.items() if t.cif != NOBODY} == {"HQ/BR01/SB01"}
    # a refreshed task names the event that last changed it
    ids = {(e["type"], e["data"].get("loan_id") or e["data"].get("account_id"), e["data"].get("amount")
            or e["data"].get("principal_due")): e["id"] for e in RUN}
    assert tasks[("large_outflow", "A-1")].source_event_id == ids[("deposit.changed", "A-1", "-300000.00")]
    assert tasks[("inflow_follow_up", "A-1")].source_event_id == ids[("deposit.changed", "A-1", "50000.00")]
    assert tasks[("loan_due", "L-1")].source_event_id == ids[("loan.due", "L-1", "120000.00")]


async def test_a_run_leaves_what_its_events_leave_arriving_one_poll_each(databases):
    async with AsyncExitStack() as stack:
        whole_db, whole = await _fresh(databases, stack)
        apart_db, apart = await _fresh(databases, stack)
        for consumer in (whole, apart):
            for item in _items(PRELUDE):
                await consumer.apply_batch([item])
        await whole.apply_batch(_items(RUN))
        for item in _items(RUN):
            await apart.apply_batch([item])
        whole_state, apart_state = await _state(whole_db), await _state(apart_db)
    for part in ("rows", "facts", "events", "days", "loans"):
        assert whole_state[part] == apart_state[part], part
    assert apart_state["rows"] == EXPECTED_TASKS

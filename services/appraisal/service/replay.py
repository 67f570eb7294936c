"""Replay: a period's facts rebuilt from the ledger alone (what recompute compares with the live cards).

The fold shares nothing with the live projection but the rules (services.appraisal.rules: the balance
an event sets, its loan flow, its deed, which of two facts of a day wins) and the pure interval
arithmetic: it folds the stored events in business order into points, turns points into intervals and
attributes them. When its numbers equal the live ones, the projection has kept up correctly.
"""
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from sqlmodel import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import LedgerEvent
from services.appraisal.rules import (
    BALANCE_FIELD,
    DEEDS,
    FIRST_BUSINESS,
    FLOW_AMOUNTS,
    NEW_LOAN_CLASS,
    SERVICE_CHECKS,
    TASK_EVENTS,
    account_of,
    balance_point,
    categories_gained,
    deed,
    fee_fact,
    first_business_day,
    loan_flow,
    service_check,
    sets_balance,
    stamp,
    task_point,
)
from services.appraisal.service.attribution import (
    BalanceSpan,
    OwnerSpan,
    Points,
    balance_days_by_owner,
    keep_latest,
    spans_from_points,
)
from services.appraisal.service.facts import (
    Period,
    PeriodFacts,
    add_flow,
    count_deed,
    count_late_open,
    count_service_check,
)


async def replay_facts(session: AsyncSession, period: "str | Period", usernames: list[str] | None = None,
                       as_of: date | None = None) -> PeriodFacts:
    p = Period.of(period)
    dated_by_content = (*DEEDS, *TASK_EVENTS, *SERVICE_CHECKS, "fee.posted")   # their day is in the payload, not the business date
    rows = (await session.exec(select(LedgerEvent).where(or_(LedgerEvent.business_date < p.end_date,
                                                             LedgerEvent.event_type.in_(dated_by_content)))
                               .order_by(LedgerEvent.business_date, LedgerEvent.occurred_at,
                                         LedgerEvent.event_id))).all()
    owners: Points[str | None] = {}
    balances: Points[tuple[str, str, str, Decimal]] = {}   # (kind, cif, product, balance)
    products: dict[str, str] = {}
    loans, flows, facts = {}, {}, PeriodFacts(p)
    fees: dict[str, tuple] = {}
    tasks: dict[str, dict] = {}
    first_days: dict[str, int] = {}
    for row in rows:
        kind, event = row.event_type, SimpleNamespace(**row.payload)
        if row.occurred_at is None:
            raise ValueError(f"ledger event {row.event_id} has no occurred_at to order it by")
        day, tie = row.business_date.toordinal(), stamp(row.occurred_at, row.event_id)
        if kind == "customer.assigned":
            keep_latest(owners, (event.customer_id, event.role), day, tie, event.owner)
        if kind in BALANCE_FIELD and sets_balance(kind, (account_of(event),) in balances):
            account = account_of(event)
            point = balance_point(kind, event, products.get(account))
            products[account] = point["product"]
            keep_latest(balances, (account,), day, tie,
                        (point["kind"], point["cif"], point["product"], Decimal(point["balance"])))
        if kind == "loan.disbursed":
            loans[event.loan_id] = [event.customer_id, Decimal(event.principal), day, NEW_LOAN_CLASS]
        elif kind == "loan.classified" and event.loan_id in loans and day < p.end:
            loans[event.loan_id][3] = event.to_class
        if kind in FLOW_AMOUNTS:
            key, on, amounts = loan_flow(kind, row.event_id, event)
            flows[key] = (event.customer_id, on, amounts)
        if kind in FIRST_BUSINESS:
            on = first_business_day(kind, event)
            first_days[event.customer_id] = min(on, first_days.get(event.customer_id, on))
        if kind == "fee.posted":
            fee = fee_fact(event)
            fees[fee["fee_key"]] = (fee["cif"], fee["day"], fee["amount"])
        if kind in TASK_EVENTS:
            tasks[event.task_id] = task_point(kind, event, row.business_date, tasks.get(event.task_id))
        if kind in DEEDS:
            credited = deed(kind, event, row.business_date)
            who = credited and credited["username"]
            if credited and who and p.start <= credited["day"] < p.end and (usernames is None or who in usernames):
                count_deed(facts, who, credited["kind"], credited["on_time"], getattr(event, "customer_id", None))
        if kind in SERVICE_CHECKS:
            check = service_check(kind, event, row.business_date)
            if check and p.start <= check["day"] < p.end and (usernames is None or check["username"] in usernames):
                count_service_check(facts, check["username"], check["kind"], event.customer_id, check["satisfaction"])
    # Every owner's spans, even when only some people are asked for: a B岗 manager outside the list
    # still takes their share of the A岗 manager's customer.
    owner_spans = [OwnerSpan(cif, role, owner, start, stop)
                   for (cif, role), start, stop, owner in spans_from_points(owners)]
    balance_spans = [BalanceSpan(account, *value[:3], start, stop, value[3])
                     for (account,), start, stop, value in spans_from_points(balances)]
    facts.balance_days = {k: v for k, v in balance_days_by_owner(balance_spans, owner_spans, p.start, p.end).items()
                          if usernames is None or k[0] in usernames}
    a_spans: dict[str, list[OwnerSpan]] = {}
    for o in owner_spans:
        if o.role == "A" and o.owner:
            a_spans.setdefault(o.cif, []).append(o)
    for loan_id, (cif, principal, day, classification) in loans.items():
        originator = next((o.owner for o in a_spans.get(cif, ()) if o.from_day <= day < (o.to_day or day + 1)), None)
        if originator and p.year_start <= day < p.end:
            facts.new_loans[originator].append((loan_id, principal, classification))
    def owner_on(cif: str, day: int) -> str | None:
        return next((o.owner for o in a_spans.get(cif, ()) if o.from_day <= day < (o.to_day or day + 1)), None)

    for cif, day, amounts in flows.values():
        owner = owner_on(cif, day)
        if owner and p.start <= day < p.end:
            add_flow(facts, owner, amounts)
    for cif, day, amount in fees.values():
        owner = owner_on(cif, day)
        if owner and p.start <= day < p.end and (usernames is None or owner in usernames):
            facts.fees[owner] += amount
    for record in tasks.values():
        if record["assignee"] and (usernames is None or record["assignee"] in usernames):
            count_late_open(facts, record, as_of)
    for cif, on in first_days.items():
        owner = owner_on(cif, on)
        if owner and p.start <= on < p.end and (usernames is None or owner in usernames):
            facts.new_customers[owner].add(cif)
    at_end = {cif: owner for cif in a_spans if (owner := owner_on(cif, p.end - 1))
              and (usernames is None or owner in usernames)}
    facts.categories_gained = categories_gained([(b.cif, b.product, b.from_day, b.to_day, b.balance)
                                                 for b in balance_spans], at_end, p.start, p.end)
    return facts

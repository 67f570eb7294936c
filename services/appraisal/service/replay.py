"""Replay: a period's facts rebuilt from the ledger alone (what recompute compares with the live cards).

The fold shares nothing with the live projection but the rules (services.appraisal.rules: the balance
an event sets, its loan flow, its deed, which of two facts of a day wins) and the pure interval
arithmetic: it folds the stored events in business order into points, turns points into intervals and
attributes them. When its numbers equal the live ones, the projection has kept up correctly.
"""
from decimal import Decimal
from types import SimpleNamespace

from sqlmodel import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import LedgerEvent
from services.appraisal.rules import (
    BALANCE_FIELD,
    DEEDS,
    FLOW_AMOUNTS,
    NEW_LOAN_CLASS,
    account_of,
    balance_point,
    deed,
    loan_flow,
    stamp,
)
from services.appraisal.service.attribution import (
    BalanceSpan,
    OwnerSpan,
    balance_days_by_owner,
    keep_latest,
    spans_from_points,
)
from services.appraisal.service.facts import Period, PeriodFacts, add_flow, count_deed


async def replay_facts(session: AsyncSession, period: "str | Period",
                       usernames: list[str] | None = None) -> PeriodFacts:
    p = Period.of(period)
    rows = (await session.exec(select(LedgerEvent).where(or_(LedgerEvent.business_date < p.end_date,
                                                             LedgerEvent.event_type.in_(DEEDS)))
                               .order_by(LedgerEvent.business_date, LedgerEvent.occurred_at,
                                         LedgerEvent.event_id))).all()
    owners, balances, products, loans, flows, facts = {}, {}, {}, {}, {}, PeriodFacts(p)
    for row in rows:
        kind, event = row.event_type, SimpleNamespace(**row.payload)
        day, tie = row.business_date.toordinal(), stamp(row.occurred_at, row.event_id)
        if kind == "customer.assigned":
            keep_latest(owners, (event.customer_id, event.role), day, tie, event.owner)
        if kind in BALANCE_FIELD:
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
        if kind in DEEDS:
            credited = deed(kind, event, row.business_date)
            who = credited and credited["username"]
            if who and p.start <= credited["day"] < p.end and (usernames is None or who in usernames):
                count_deed(facts, who, credited["kind"], credited["on_time"])
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
    for cif, day, amounts in flows.values():
        owner = next((o.owner for o in a_spans.get(cif, ()) if o.from_day <= day < (o.to_day or day + 1)), None)
        if owner and p.start <= day < p.end:
            add_flow(facts, owner, amounts)
    return facts

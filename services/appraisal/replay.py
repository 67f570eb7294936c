"""Rebuilding a period's facts from the ledger alone (what recompute runs).

This deliberately shares nothing with the incremental projection but the pure interval arithmetic:
it folds the stored events in business order into points, turns points into intervals, and attributes
them. When its numbers equal the live ones, the projection has kept up correctly.
"""
from datetime import date
from decimal import Decimal

from sqlmodel import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.attribution import (BalanceSpan, OwnerSpan, balance_days_by_owner, keep_latest,
                                            spans_from_points)
from services.appraisal.facts import Period, PeriodFacts, add_flow, count_deed
from services.appraisal.models import LedgerEvent
from services.appraisal.projection import stamp

DEEDS = {  # event type -> (kind, field naming the person credited, field dating the deed)
    "customer.won": ("won", "owner", None),
    "interaction.logged": ("interaction", "rm", "occurred_on"),
    "task.completed": ("task_completed", "assignee", "completed_on"),
}


def _day(value: str) -> int:
    return date.fromisoformat(value).toordinal()


async def replay_facts(session: AsyncSession, period: "str | Period",
                       usernames: list[str] | None = None) -> PeriodFacts:
    p = Period.of(period)
    rows = (await session.exec(select(LedgerEvent).where(or_(LedgerEvent.business_date < p.end_date,
                                                             LedgerEvent.event_type.in_(DEEDS)))
                               .order_by(LedgerEvent.business_date, LedgerEvent.occurred_at,
                                         LedgerEvent.event_id))).all()
    owners, balances, products, loans, flows, facts = {}, {}, {}, {}, {}, PeriodFacts(p)
    for row in rows:
        d, day, tie = row.payload, row.business_date.toordinal(), stamp(row.occurred_at, row.event_id)
        kind = row.event_type
        if kind == "customer.assigned":
            keep_latest(owners, (d["customer_id"], d["role"]), day, tie, d["owner"])
        elif kind in ("deposit.changed", "deposit.closed", "loan.disbursed", "loan.repaid"):
            account = d.get("account_id") or d["loan_id"]
            # A repayment of a loan disbursed before the ledger began has no product: "loan", as the live
            # handler says (and a closed deposit without one, "demand").
            products[account] = d.get("product") or products.get(account, "loan" if "loan_id" in d else "demand")
            balance = {"deposit.changed": d.get("balance"), "deposit.closed": "0", "loan.disbursed": d.get("principal"),
                       "loan.repaid": d.get("outstanding_balance")}[kind]
            keep_latest(balances, (account,), day, tie,
                        ("loan" if kind.startswith("loan") else "deposit", d["customer_id"], products[account],
                         Decimal(balance)))
            if kind == "loan.disbursed":
                loans[account] = [d["customer_id"], Decimal(d["principal"]), day, "normal"]
            if kind == "loan.repaid":
                flows[row.event_id] = (d["customer_id"], _day(d["repaid_on"]), {
                    "principal_paid": d["principal_paid"], "interest_paid": d["interest_paid"]})
        elif kind == "loan.classified" and d["loan_id"] in loans and day < p.end:
            loans[d["loan_id"]][3] = d["to_class"]
        elif kind == "loan.due":
            flows[f"due:{d['loan_id']}:{d['due_date']}"] = (d["customer_id"], _day(d["due_date"]), {
                "principal_due": d["principal_due"], "interest_due": d["interest_due"]})
        elif kind in DEEDS:
            deed, who, dated = DEEDS[kind]
            deed_day = _day(d[dated]) if dated else day
            if d.get(who) and p.start <= deed_day < p.end and (usernames is None or d[who] in usernames):
                count_deed(facts, d[who], deed, d.get("on_time"))
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

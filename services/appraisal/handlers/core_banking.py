"""Core-banking events (deposit.*, loan.*): balance intervals, loan records and loan flows.

One handler for every core-banking type, so a polled batch of the deposits or loans topic is one run
whatever its mix. A run pays a fixed handful of statements: the ledger insert (which also drops what
was applied before), one read of the touched accounts' intervals and of the touched loans, every event
decided in memory in run order (services.appraisal.rules), then one upsert each for intervals, loans
and flows, and one freshness bump counting, per person, the events about their customers.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.handlers.ledger import record_facts
from services.appraisal.models import BalanceInterval, LoanFlow, LoanRecord
from services.appraisal.rules import BALANCE_FIELD, FLOW_AMOUNTS, NEW_LOAN_CLASS, account_of, balance_point, loan_flow
from services.appraisal.service.freshness import bump_owners_of_many
from services.appraisal.service.timeline import Timeline, load_timelines, write_timelines
from shared.bulk import put_rows
from shared.db import one_of, plain_rows
from shared.handlers import Item, deduplicating

KEPT_ONLY = ("deposit.opened", "loan.overdue")   # in the ledger alone, but in the run: a poll stays one run
TYPES = ("deposit.changed", "deposit.closed", "loan.disbursed", "loan.repaid", "loan.due", "loan.classified",
         *KEPT_ONLY)


@dataclass
class Run:
    """What a run reads, changes in memory and writes back."""
    timelines: dict[tuple, Timeline]
    loans: dict[str, dict | None]
    changed_loans: set[str] = field(default_factory=set)
    flows: dict[str, dict] = field(default_factory=dict)
    touched: Counter = field(default_factory=Counter)   # customer -> events that bump their owners

    def apply(self, item: Item) -> None:
        envelope, event, kind = item.envelope, item.data, item.envelope.type
        if kind in KEPT_ONLY:
            return
        if kind in BALANCE_FIELD:
            timeline = self.timelines[(account_of(event),)]
            last = timeline.last()
            point = balance_point(kind, event, last["product"] if last else None)
            timeline.place(envelope.business_date.toordinal(), point, envelope.occurred_at, envelope.id)
        if kind == "loan.disbursed":
            loan = self.loans.get(event.loan_id) or {"loan_id": event.loan_id, "cif": event.customer_id,
                                                     "classification": NEW_LOAN_CLASS}
            self.loans[event.loan_id] = {**loan, "principal": event.principal,
                                         "disbursed_day": envelope.business_date.toordinal()}
            self.changed_loans.add(event.loan_id)
        elif kind == "loan.classified" and self.loans.get(event.loan_id) is not None:
            # a class for a loan never disbursed here stays in the ledger only
            self.loans[event.loan_id]["classification"] = event.to_class
            self.changed_loans.add(event.loan_id)
        if kind in FLOW_AMOUNTS:
            key, day, amounts = loan_flow(kind, envelope.id, event)
            # A key seen before keeps its first loan, customer and day and takes the new amounts.
            self.flows.setdefault(key, {"event_id": key, "loan_id": event.loan_id, "cif": event.customer_id,
                                        "day": day})["amounts"] = amounts
        self.touched[event.customer_id] += 1


async def _load_loans(session: AsyncSession, loan_ids: set[str]) -> dict[str, dict | None]:
    loans: dict[str, dict | None] = dict.fromkeys(loan_ids)
    if loan_ids:
        table = LoanRecord.__table__
        for row in plain_rows(await session.execute(select(table).where(one_of(session, table.c.loan_id, loan_ids)))):
            loans[row["loan_id"]] = row
    return loans


@deduplicating
async def on_core_banking(session: AsyncSession, items: list[Item]) -> None:
    items = await record_facts(session, items)
    first_days: dict[tuple, int] = {}
    for item in items:
        if item.envelope.type in BALANCE_FIELD:
            account, day = (account_of(item.data),), item.envelope.business_date.toordinal()
            first_days[account] = min(day, first_days.get(account, day))
    run = Run(await load_timelines(session, BalanceInterval, first_days), await _load_loans(
        session, {i.data.loan_id for i in items if i.envelope.type in ("loan.disbursed", "loan.classified")}))
    for item in items:
        run.apply(item)
    await write_timelines(session, BalanceInterval, run.timelines)
    await put_rows(session, LoanRecord, [run.loans[i] for i in sorted(run.changed_loans)], ("loan_id",),
                   ("principal", "disbursed_day", "classification"))
    await put_rows(session, LoanFlow, list(run.flows.values()), ("event_id",), ("amounts",))
    await bump_owners_of_many(session, run.touched)

"""Set-based handling of a run of core-banking events (deposit.*, loan.* of one partition, in order).

A run pays a fixed handful of statements, not several per event: one multi-row ledger insert (whose
key is also the consumer's dedup record: events already in the ledger go no further); one
read of the touched accounts' intervals (from the one before the run's earliest day onwards) and of
the touched loans; every event applied in memory in run order with the same rules as the one-at-a-time
handlers in handlers.py; then one upsert each for intervals, loans and loan flows, and one freshness
bump carrying, per person, as many increments as events touched their customers. The state left is
the one those handlers leave applying the run event by event (tests/appraisal hold the two together).
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.freshness import bump_owners_of_many
from services.appraisal.models import BalanceInterval, LedgerEvent, LoanFlow, LoanRecord
from services.appraisal.timeline import COLUMNS, Timeline
from shared.bulk import JsonText, put_rows
from shared.clock import utcnow
from shared.handlers import Item, deduplicating, first_of
from shared.db import one_of, plain_rows
from shared.events import Envelope, EventData, LoanDue


def ledger_row(envelope: Envelope, event: EventData, payload: dict | JsonText | None = None,
               recorded_at: datetime | None = None) -> dict:
    return {"event_id": envelope.id, "event_type": envelope.type, "subject": envelope.subject,
            "business_date": envelope.business_date, "occurred_at": envelope.occurred_at,
            "recorded_at": recorded_at or utcnow(), "payload": event.model_dump(mode="json") if payload is None else payload}


def due_key(event: LoanDue) -> str:
    """One falling-due per loan and due date: core banking re-sends loan.due with new ids for one fact."""
    return f"due:{event.loan_id}:{event.due_date.isoformat()}"


def flow_amounts(**amounts) -> dict[str, str]:
    return {name: str(amount) for name, amount in amounts.items()}


async def record_facts(session: AsyncSession, items: list[Item]) -> list[Item]:
    """Keep the run's events in the ledger and return those that were new there (each id once).
    Insert-or-skip, as record_fact: the ledger's key is also this consumer's record of what it applied
    (the handlers here are `deduplicating`), so a redelivered or re-sent event stops at this line."""
    now = utcnow()   # one arrival time for the run: put_rows then sends it once
    rows = [ledger_row(i.envelope, i.data, JsonText(i.data.model_dump_json()), now) for i in items]
    return first_of(items, set(await put_rows(session, LedgerEvent, rows, returning="event_id")))


@deduplicating
async def keep_facts(session: AsyncSession, items: list[Item]) -> None:
    """Events kept for the ledger alone (recompute may need them one day), a run in one statement."""
    await record_facts(session, items)


@dataclass
class Run:
    """What a run reads, changes in memory and writes back."""
    timelines: dict[str, Timeline]
    loans: dict[str, dict | None]
    changed_loans: set[str] = field(default_factory=set)
    flows: dict[str, dict] = field(default_factory=dict)
    touched: list[str] = field(default_factory=list)   # a customer per event that bumps their owners

    def place(self, account_id: str, envelope: Envelope, **values) -> None:
        self.timelines[account_id].place(envelope.business_date.toordinal(), values, envelope.occurred_at, envelope.id)

    def last_product(self, account_id: str, default: str) -> str:
        last = self.timelines[account_id].last()
        return last["product"] if last else default

    def flow(self, key: str, loan_id: str, cif: str, on, amounts: dict[str, str]) -> None:
        # A key seen before keeps its first loan/customer/day and takes the new amounts, as the upsert does.
        if key in self.flows:
            self.flows[key]["amounts"] = amounts
        else:
            self.flows[key] = {"event_id": key, "loan_id": loan_id, "cif": cif, "day": on.toordinal(),
                               "amounts": amounts}


def _deposit_changed(run: Run, envelope: Envelope, event) -> None:
    run.place(event.account_id, envelope, kind="deposit", cif=event.customer_id, product=event.product,
              balance=event.balance)
    run.touched.append(event.customer_id)


def _deposit_closed(run: Run, envelope: Envelope, event) -> None:
    run.place(event.account_id, envelope, kind="deposit", cif=event.customer_id,
              product=run.last_product(event.account_id, "demand"), balance=Decimal(0))
    run.touched.append(event.customer_id)


def _loan_disbursed(run: Run, envelope: Envelope, event) -> None:
    loan = run.loans.get(event.loan_id) or {"loan_id": event.loan_id, "cif": event.customer_id,
                                            "classification": "normal"}
    loan.update(principal=event.principal, disbursed_day=envelope.business_date.toordinal())
    run.loans[event.loan_id] = loan
    run.changed_loans.add(event.loan_id)
    run.place(event.loan_id, envelope, kind="loan", cif=event.customer_id, product=event.product,
              balance=event.principal)
    run.touched.append(event.customer_id)


def _loan_repaid(run: Run, envelope: Envelope, event) -> None:
    run.place(event.loan_id, envelope, kind="loan", cif=event.customer_id,
              product=run.last_product(event.loan_id, "loan"), balance=event.outstanding_balance)
    run.flow(envelope.id, event.loan_id, event.customer_id, event.repaid_on,
             flow_amounts(principal_paid=event.principal_paid, interest_paid=event.interest_paid))
    run.touched.append(event.customer_id)


def _loan_due(run: Run, envelope: Envelope, event) -> None:
    run.flow(due_key(event), event.loan_id, event.customer_id, event.due_date,
             flow_amounts(principal_due=event.principal_due, interest_due=event.interest_due))
    run.touched.append(event.customer_id)


def _loan_classified(run: Run, envelope: Envelope, event) -> None:
    if run.loans.get(event.loan_id) is not None:  # a class for a loan never disbursed here stays in the ledger only
        run.loans[event.loan_id]["classification"] = event.to_class
        run.changed_loans.add(event.loan_id)
    run.touched.append(event.customer_id)


def _kept_only(run: Run, envelope: Envelope, event) -> None:
    pass


APPLY = {"deposit.changed": _deposit_changed, "deposit.closed": _deposit_closed,
         "loan.disbursed": _loan_disbursed, "loan.repaid": _loan_repaid, "loan.due": _loan_due,
         "loan.classified": _loan_classified, "deposit.opened": _kept_only, "loan.overdue": _kept_only}
BALANCE_TYPES = ("deposit.changed", "deposit.closed", "loan.disbursed", "loan.repaid")
LOAN_RECORD_TYPES = ("loan.disbursed", "loan.classified")

# The intervals a run can touch, per account: from the last one before its earliest day to the end.
# unnest + a correlated max() keep it an index probe per account on PostgreSQL, whatever the history.
_AROUND_SQL = text("""
SELECT b.account_id, b.from_day, b.to_day, b.kind, b.cif, b.product, b.balance, b.occurred_at, b.event_id
FROM unnest(CAST(:accounts AS varchar[]), CAST(:days AS integer[])) AS r(account_id, first_day)
JOIN balance_interval b ON b.account_id = r.account_id AND b.from_day >= COALESCE(
    (SELECT max(p.from_day) FROM balance_interval p WHERE p.account_id = r.account_id AND p.from_day < r.first_day),
    r.first_day)
""")


async def _load_timelines(session: AsyncSession, first_days: dict[str, int]) -> dict[str, Timeline]:
    rows: dict[str, list[dict]] = defaultdict(list)
    if first_days and session.get_bind().dialect.name == "postgresql":
        result = await session.execute(_AROUND_SQL, {"accounts": list(first_days), "days": list(first_days.values())})
    elif first_days:  # SQLite (embedded, small): every interval of those accounts, a superset of the above
        table = BalanceInterval.__table__
        result = await session.execute(select(*(table.c[c] for c in COLUMNS))
                                       .where(table.c.account_id.in_(list(first_days))))
    for row in (plain_rows(result) if first_days else ()):
        rows[row["account_id"]].append(row)
    return {account: Timeline(account, rows[account]) for account in first_days}


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
    first_days: dict[str, int] = {}
    for item in items:
        if item.envelope.type in BALANCE_TYPES:
            account = getattr(item.data, "account_id", None) or item.data.loan_id
            day = item.envelope.business_date.toordinal()
            first_days[account] = min(day, first_days.get(account, day))
    run = Run(await _load_timelines(session, first_days),
              await _load_loans(session, {i.data.loan_id for i in items if i.envelope.type in LOAN_RECORD_TYPES}))
    for item in items:
        APPLY[item.envelope.type](run, item.envelope, item.data)
    intervals = [row for timeline in run.timelines.values() for row in timeline.changed_rows()]
    await put_rows(session, BalanceInterval, intervals, ("account_id", "from_day"), COLUMNS[2:])
    await put_rows(session, LoanRecord, [run.loans[i] for i in sorted(run.changed_loans)], ("loan_id",),
                   ("principal", "disbursed_day", "classification"))
    await put_rows(session, LoanFlow, list(run.flows.values()), ("event_id",), ("amounts",))
    await bump_owners_of_many(session, Counter(run.touched))

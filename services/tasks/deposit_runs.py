"""deposit.opened and deposit.changed applied a run at a time: the day's flows of every account in
the run are read in one statement and written back in one upsert, the rules decided in memory in
event order, and tasks touched only for the events that cross a threshold or bring money back.
Effects are those of deposits.on_deposit_* event by event (tests/tasks/test_ingest_runs.py)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import load_calendar
from services.tasks.deposits import follow_up_task, is_large_outflow, maturity_task, retention_task, returned_to
from services.tasks.models import DepositDay
from services.tasks.rules import load_rules
from services.tasks.run_tasks import RunTasks, chunks, draft, load_books
from shared.bulk import put_rows
from shared.clock import utcnow
from shared.handlers import Item, batched
from shared.db import one_of
from shared.logging import request_id_var

OUTFLOW, INFLOW, MATURITY = "large_outflow", "inflow_follow_up", "time_deposit_maturity"


@dataclass
class Flows:
    """One account-day's flows: as stored before the run (`stored`) and as the run leaves them."""
    cif: str
    opening_balance: Decimal
    outflow: Decimal
    inflow: Decimal
    stored: tuple[Decimal, Decimal] | None = None   # (outflow, inflow) in the table; None: a new row


async def _load_flows(session: AsyncSession, keys: set[tuple[str, date]]) -> dict[tuple[str, date], Flows]:
    flows: dict[tuple[str, date], Flows] = {}
    days = sorted({day for _, day in keys})
    for part in chunks(account for account, _ in keys):
        # plain columns, not entities: the run writes the rows back itself, in one upsert
        rows = (await session.execute(select(DepositDay.account_id, DepositDay.day, DepositDay.cif,
                                             DepositDay.opening_balance, DepositDay.outflow, DepositDay.inflow)
                                      .where(one_of(session, DepositDay.account_id, part),
                                             DepositDay.day.in_(days)))).all()
        for account, day, cif, opening, outflow, inflow in rows:
            if (account, day) in keys:
                flows[(account, day)] = Flows(cif, opening, outflow, inflow, (outflow, inflow))
    return flows


async def _save_flows(session: AsyncSession, flows: dict[tuple[str, date], Flows]) -> None:
    """New days inserted, known days increased by what the run added (an increment, so a row is
    never written back from a stale read)."""
    rows = []
    for (account, day), f in flows.items():
        stored_out, stored_in = f.stored or (0, 0)
        rows.append({"account_id": account, "day": day, "cif": f.cif, "opening_balance": f.opening_balance,
                     "outflow": f.outflow - stored_out, "inflow": f.inflow - stored_in})
    await put_rows(session, DepositDay, rows, ("account_id", "day"), add=("outflow", "inflow"))


@dataclass(frozen=True)
class Step:
    """What one deposit.changed saw of its day: the flows just after it."""
    item: Item
    day: date
    opening_balance: Decimal
    outflow: Decimal
    inflow: Decimal


@batched
async def on_deposit_changes(session: AsyncSession, items: list[Item]) -> None:
    rules = await load_rules(session, (OUTFLOW, INFLOW))
    large_in = Decimal(str(rules[INFLOW]["amount"]))
    flows = await _load_flows(session, {(i.data.account_id, i.envelope.business_date) for i in items})
    steps: list[Step] = []
    for item in items:   # the running totals, in event order
        event, day = item.data, item.envelope.business_date
        f = flows.get((event.account_id, day))
        if f is None:  # the first movement of the day tells us the balance the day opened with
            f = flows[(event.account_id, day)] = Flows(event.customer_id, event.balance - event.amount,
                                                       Decimal(0), Decimal(0))
        if event.amount < 0:
            f.outflow += -event.amount
        else:
            f.inflow += event.amount
        steps.append(Step(item, day, f.opening_balance, f.outflow, f.inflow))
    await _save_flows(session, flows)

    def crosses(s: Step) -> bool:
        if s.item.data.amount > 0:
            return s.inflow >= large_in
        return is_large_outflow(rules[OUTFLOW], s.outflow, s.opening_balance)

    # Only money coming in (it may return an outflow) or a threshold crossed touches tasks: a few events.
    touching = [s for s in steps if s.item.data.amount > 0 or crosses(s)]
    if not touching:
        return
    tasks = await RunTasks.load(session, {s.item.data.account_id for s in touching}, {s.day for s in touching},
                                rules=(OUTFLOW, INFLOW))
    books = await load_books(session, {s.item.data.customer_id for s in touching if crosses(s)})
    calendar = await load_calendar(session)
    for s in touching:
        event, envelope, now = s.item.data, s.item.envelope, utcnow()
        request_id_var.set(s.item.request_id)
        if event.amount > 0:
            for task in tasks.open(event.account_id, OUTFLOW):
                if returned_to(task, event.amount):
                    tasks.cancel(task, "deposit_returned", business_date=envelope.business_date, now=now)
            if not crosses(s):
                continue
            task = follow_up_task(rules[INFLOW], calendar, account=event.account_id, cif=event.customer_id,
                                  book=books.get(event.customer_id), day=s.day, amount=s.inflow, why="large_inflow",
                                  event_id=envelope.id, now=now, make=draft)
        else:
            task = retention_task(rules[OUTFLOW], calendar, account=event.account_id, cif=event.customer_id,
                                  book=books.get(event.customer_id), day=s.day, opening_balance=s.opening_balance,
                                  outflow=s.outflow, event_id=envelope.id, now=now, make=draft)
        tasks.raise_(task, business_date=envelope.business_date, now=now)
    await tasks.write()


@batched
async def on_deposit_openings(session: AsyncSession, items: list[Item]) -> None:
    """A new wealth account asks for a follow-up, a time deposit for a maturity call; other products
    make nothing, so a run of openings reads tasks and owners only for those two."""
    asking = [i for i in items if i.data.product == "wealth" or (i.data.product == "time" and i.data.maturity_date)]
    if not asking:
        return
    rules = await load_rules(session, (INFLOW, MATURITY))
    tasks = await RunTasks.load(session, {i.data.account_id for i in asking},
                                {i.data.opened_on if i.data.product == "wealth" else i.data.maturity_date
                                 for i in asking}, rules=(INFLOW, MATURITY))
    books = await load_books(session, {i.data.customer_id for i in asking})
    calendar = await load_calendar(session)
    for item in asking:
        event, envelope, now = item.data, item.envelope, utcnow()
        request_id_var.set(item.request_id)
        book = books.get(event.customer_id)
        if event.product == "wealth":
            task = follow_up_task(rules[INFLOW], calendar, account=event.account_id, cif=event.customer_id, book=book,
                                  day=event.opened_on, amount=None, why="new_wealth", event_id=envelope.id, now=now,
                                  make=draft)
        else:
            task = maturity_task(rules[MATURITY], calendar, event, book=book, business_date=envelope.business_date,
                                 event_id=envelope.id, now=now, make=draft)
        tasks.raise_(task, business_date=envelope.business_date, now=now)
    await tasks.write()

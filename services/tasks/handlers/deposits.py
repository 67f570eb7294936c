"""Deposit events → tasks: a retention call on a large outflow in a day (cancelled when the money comes
back), a follow-up on a large inflow or a new wealth account, a maturity call ahead of a time
deposit's end (cancelled when the account closes).

A run's account-days are read in one statement and written back in one upsert (service.deposit_days),
the rules decided in memory in event order, and tasks touched only for the events that cross a
threshold or bring money back."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import CustomerBook
from services.tasks.rules import Rule, is_large_inflow, is_large_outflow, load_rules, outflow_share
from services.tasks.service.calendar import BusinessCalendar, load_calendar
from services.tasks.service.deposit_days import Flows, load_flows, save_flows
from services.tasks.service.lifecycle import TaskRow, new_task
from services.tasks.service.task_set import TaskSet, load_books
from shared.clock import utcnow
from shared.events import DepositOpened
from shared.handlers import Item, batched
from shared.logging import request_id_var

OUTFLOW, INFLOW, MATURITY = "large_outflow", "inflow_follow_up", "time_deposit_maturity"


def follow_up_task(rule: Rule, calendar: BusinessCalendar, *, account: str, cif: str, book: CustomerBook | None,
                   day: date, amount: Decimal | None, why: str, event_id: str, now: datetime) -> TaskRow:
    days = int(rule["business_days"])
    return new_task(rule, subject=account, anchor=day, book=book, cif=cif,
                    due_date=calendar.add_business_days(day, days),
                    now=now, amount=amount, source_event_id=event_id,
                    params={"account_id": account, "why_key": why, "amount": str(amount or ""), "business_days": days})


def maturity_task(rule: Rule, calendar: BusinessCalendar, event: DepositOpened, *, book: CustomerBook | None,
                  business_date: date, event_id: str, now: datetime) -> TaskRow:
    lead = int(rule["lead_days"])
    due = max(calendar.on_or_before(event.maturity_date - timedelta(days=lead)), calendar.on_or_after(business_date))
    return new_task(rule, subject=event.account_id, anchor=event.maturity_date, book=book, cif=event.customer_id,
                    due_date=due, now=now, amount=None, source_event_id=event_id,
                    params={"account_id": event.account_id, "maturity_date": event.maturity_date.isoformat(),
                            "lead_days": lead})


def retention_task(rule: Rule, calendar: BusinessCalendar, *, account: str, cif: str, book: CustomerBook | None,
                   day: date, opening_balance: Decimal, outflow: Decimal, event_id: str, now: datetime) -> TaskRow:
    days = int(rule["business_days"])
    share = outflow_share(outflow, opening_balance)
    return new_task(rule, subject=account, anchor=day, book=book, cif=cif,
                    due_date=calendar.add_business_days(day, days),
                    now=now, amount=outflow, source_event_id=event_id,
                    params={"account_id": account, "outflow": str(outflow),
                            "share_pct": str(share.quantize(Decimal("0.1"))),
                            "opening_balance": str(opening_balance), "business_days": days, "returned": "0"})


def returned_to(task: TaskRow, amount: Decimal) -> bool:
    """Money flowing back into the account counts against the outflow; True when all of it is back."""
    returned = Decimal(task.params.get("returned", "0")) + amount
    task.params = {**task.params, "returned": str(returned)}
    return returned >= (task.amount or 0)


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
    flows = await load_flows(session, {(i.data.account_id, i.envelope.business_date) for i in items})
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
    await save_flows(session, flows)

    def crosses(s: Step) -> bool:
        if s.item.data.amount > 0:
            return is_large_inflow(rules[INFLOW], s.inflow)
        return is_large_outflow(rules[OUTFLOW], s.outflow, s.opening_balance)

    # Only money coming in (it may return an outflow) or a threshold crossed touches tasks: a few events.
    touching = [s for s in steps if s.item.data.amount > 0 or crosses(s)]
    if not touching:
        return
    tasks = await TaskSet.load(session, {s.item.data.account_id for s in touching}, {s.day for s in touching},
                               rules=(OUTFLOW, INFLOW))
    # A task already stored on its key is only refreshed (amount, facts), never re-routed: owners are
    # read for the others alone — a hot account crosses its threshold again with every inflow.
    books = await load_books(session, {s.item.data.customer_id for s in touching if crosses(s) and (
        INFLOW if s.item.data.amount > 0 else OUTFLOW, s.item.data.account_id, s.day) not in tasks.by_key})
    calendar = await load_calendar(session)
    for s in touching:
        event, envelope, now = s.item.data, s.item.envelope, utcnow()
        request_id_var.set(s.item.request_id)
        facts = {"account": event.account_id, "cif": event.customer_id, "book": books.get(event.customer_id),
                 "day": s.day, "event_id": envelope.id, "now": now}
        if event.amount > 0:
            for task in tasks.open(event.account_id, OUTFLOW):
                if returned_to(task, event.amount):
                    tasks.cancel(task, "deposit_returned", business_date=envelope.business_date, now=now)
            if not crosses(s):
                continue
            task = follow_up_task(rules[INFLOW], calendar, amount=s.inflow, why="large_inflow", **facts)
        else:
            task = retention_task(rules[OUTFLOW], calendar, opening_balance=s.opening_balance, outflow=s.outflow,
                                  **facts)
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
    tasks = await TaskSet.load(session, {i.data.account_id for i in asking},
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
                                  day=event.opened_on, amount=None, why="new_wealth", event_id=envelope.id, now=now)
        else:
            task = maturity_task(rules[MATURITY], calendar, event, book=book, business_date=envelope.business_date,
                                 event_id=envelope.id, now=now)
        tasks.raise_(task, business_date=envelope.business_date, now=now)
    await tasks.write()


@batched
async def on_deposit_closings(session: AsyncSession, items: list[Item]) -> None:
    """A closed time deposit needs no maturity call."""
    tasks = await TaskSet.load(session, {i.data.account_id for i in items}, (), rules=(MATURITY,))
    for item in items:
        request_id_var.set(item.request_id)
        for task in tasks.open(item.data.account_id, MATURITY):
            tasks.cancel(task, "account_closed", business_date=item.envelope.business_date, now=utcnow())
    await tasks.write()

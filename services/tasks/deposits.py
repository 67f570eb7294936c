"""Deposit events → tasks: retention call on a large outflow (cancelled when the money comes back),
follow-up on a large inflow or a new wealth account, maturity call ahead of a time deposit's end.
The task builders and thresholds here are shared with the run-at-a-time path (deposit_runs)."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import BusinessCalendar, load_calendar
from services.tasks.models import CustomerBook, DepositDay, Task
from services.tasks.rules import Rule, load_rule
from services.tasks.service import book_entry, cancel_task, new_task, open_tasks, raise_task
from shared.clock import utcnow
from shared.events import DepositChanged, DepositClosed, DepositOpened, Envelope


def follow_up_task(rule: Rule, calendar: BusinessCalendar, *, account: str, cif: str, book: CustomerBook | None,
                   day: date, amount: Decimal | None, why: str, event_id: str, now: datetime, make=new_task) -> Task:
    days = int(rule["business_days"])
    return make(rule, subject=account, anchor=day, book=book, cif=cif, due_date=calendar.add_business_days(day, days),
                    now=now, amount=amount, source_event_id=event_id,
                    params={"account_id": account, "why_key": why, "amount": str(amount or ""), "business_days": days})


def maturity_task(rule: Rule, calendar: BusinessCalendar, event: DepositOpened, *, book: CustomerBook | None,
                  business_date: date, event_id: str, now: datetime, make=new_task) -> Task:
    lead = int(rule["lead_days"])
    due = max(calendar.on_or_before(event.maturity_date - timedelta(days=lead)), calendar.on_or_after(business_date))
    return make(rule, subject=event.account_id, anchor=event.maturity_date, book=book, cif=event.customer_id,
                    due_date=due, now=now, amount=None, source_event_id=event_id,
                    params={"account_id": event.account_id, "maturity_date": event.maturity_date.isoformat(),
                            "lead_days": lead})


def outflow_share(outflow: Decimal, opening_balance: Decimal) -> Decimal:
    return (outflow * 100 / opening_balance) if opening_balance > 0 else Decimal(100)


def is_large_outflow(rule: Rule, outflow: Decimal, opening_balance: Decimal) -> bool:
    return (outflow >= Decimal(str(rule["amount"]))
            or outflow_share(outflow, opening_balance) >= Decimal(str(rule["share_of_balance_pct"])))


def retention_task(rule: Rule, calendar: BusinessCalendar, *, account: str, cif: str, book: CustomerBook | None,
                   day: date, opening_balance: Decimal, outflow: Decimal, event_id: str, now: datetime,
                   make=new_task) -> Task:
    days = int(rule["business_days"])
    share = outflow_share(outflow, opening_balance)
    return make(rule, subject=account, anchor=day, book=book, cif=cif,
                    due_date=calendar.add_business_days(day, days), now=now, amount=outflow, source_event_id=event_id,
                    params={"account_id": account, "outflow": str(outflow),
                            "share_pct": str(share.quantize(Decimal("0.1"))),
                            "opening_balance": str(opening_balance), "business_days": days, "returned": "0"})


async def on_deposit_opened(session: AsyncSession, envelope: Envelope, event: DepositOpened) -> None:
    if event.product == "wealth":
        task = follow_up_task(await load_rule(session, "inflow_follow_up"), await load_calendar(session),
                              account=event.account_id, cif=event.customer_id,
                              book=await book_entry(session, event.customer_id), day=event.opened_on, amount=None,
                              why="new_wealth", event_id=envelope.id, now=utcnow())
        await raise_task(session, task, business_date=envelope.business_date, now=utcnow())
    if event.product == "time" and event.maturity_date:
        task = maturity_task(await load_rule(session, "time_deposit_maturity"), await load_calendar(session), event,
                             book=await book_entry(session, event.customer_id),
                             business_date=envelope.business_date, event_id=envelope.id, now=utcnow())
        await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


async def _day(session: AsyncSession, event: DepositChanged, day: date) -> DepositDay:
    row = await session.get(DepositDay, (event.account_id, day))
    if row is None:  # the first movement of the day tells us the balance the day opened with
        row = DepositDay(account_id=event.account_id, day=day, cif=event.customer_id,
                         opening_balance=event.balance - event.amount)
    if event.amount < 0:
        row.outflow += -event.amount
    else:
        row.inflow += event.amount
    session.add(row)
    return row


async def on_deposit_changed(session: AsyncSession, envelope: Envelope, event: DepositChanged) -> None:
    day = await _day(session, event, envelope.business_date)
    if event.amount > 0:
        await _money_returned(session, envelope, event)
        inflow = await load_rule(session, "inflow_follow_up")
        if day.inflow >= Decimal(str(inflow["amount"])):
            task = follow_up_task(inflow, await load_calendar(session), account=event.account_id,
                                  cif=event.customer_id, book=await book_entry(session, event.customer_id),
                                  day=day.day, amount=day.inflow, why="large_inflow", event_id=envelope.id,
                                  now=utcnow())
            await raise_task(session, task, business_date=envelope.business_date, now=utcnow())
        return
    rule = await load_rule(session, "large_outflow")
    if not is_large_outflow(rule, day.outflow, day.opening_balance):
        return
    task = retention_task(rule, await load_calendar(session), account=event.account_id, cif=event.customer_id,
                          book=await book_entry(session, event.customer_id), day=day.day,
                          opening_balance=day.opening_balance, outflow=day.outflow, event_id=envelope.id, now=utcnow())
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


def returned_to(task: Task, amount: Decimal) -> bool:
    """Money flowing back into the account counts against the outflow; True when all of it is back."""
    returned = Decimal(task.params.get("returned", "0")) + amount
    task.params = {**task.params, "returned": str(returned)}
    return returned >= (task.amount or 0)


async def _money_returned(session: AsyncSession, envelope: Envelope, event: DepositChanged) -> None:
    """All of the outflow back — no call needed."""
    for task in await open_tasks(session, "large_outflow", event.account_id):
        done = returned_to(task, event.amount)
        session.add(task)
        if done:
            await cancel_task(session, task, "deposit_returned", business_date=envelope.business_date, now=utcnow())


async def on_deposit_closed(session: AsyncSession, envelope: Envelope, event: DepositClosed) -> None:
    for task in await open_tasks(session, "time_deposit_maturity", event.account_id):
        await cancel_task(session, task, "account_closed", business_date=envelope.business_date, now=utcnow())

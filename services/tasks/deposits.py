"""Deposit events → tasks: retention call on a large outflow (cancelled when the money comes back),
follow-up on a large inflow or a new wealth account, maturity call ahead of a time deposit's end."""
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import load_calendar
from services.tasks.models import DepositDay
from services.tasks.rules import Rule, load_rule
from services.tasks.service import book_entry, cancel_task, new_task, open_tasks, raise_task
from shared.clock import utcnow
from shared.events import DepositChanged, DepositClosed, DepositOpened, Envelope


async def _raise(session: AsyncSession, envelope: Envelope, rule: Rule, *, account: str, cif: str, anchor: date,
                 due: date, amount: Decimal | None, params: dict) -> None:
    task = new_task(rule, subject=account, anchor=anchor, book=await book_entry(session, cif), cif=cif,
                    due_date=due, now=utcnow(), amount=amount, source_event_id=envelope.id,
                    params={"account_id": account, **params})
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


async def _follow_up(session, envelope: Envelope, account: str, cif: str, day: date, amount, why: str) -> None:
    rule, calendar = await load_rule(session, "inflow_follow_up"), await load_calendar(session)
    days = int(rule["business_days"])
    await _raise(session, envelope, rule, account=account, cif=cif, anchor=day,
                 due=calendar.add_business_days(day, days), amount=amount,
                 params={"why_key": why, "amount": str(amount or ""), "business_days": days})


async def on_deposit_opened(session: AsyncSession, envelope: Envelope, event: DepositOpened) -> None:
    if event.product == "wealth":
        await _follow_up(session, envelope, event.account_id, event.customer_id, event.opened_on, None, "new_wealth")
    if event.product == "time" and event.maturity_date:
        rule, calendar = await load_rule(session, "time_deposit_maturity"), await load_calendar(session)
        lead = int(rule["lead_days"])
        due = max(calendar.on_or_before(event.maturity_date - timedelta(days=lead)),
                  calendar.on_or_after(envelope.business_date))
        await _raise(session, envelope, rule, account=event.account_id, cif=event.customer_id,
                     anchor=event.maturity_date, due=due, amount=None,
                     params={"maturity_date": event.maturity_date.isoformat(), "lead_days": lead})


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
            await _follow_up(session, envelope, event.account_id, event.customer_id, day.day, day.inflow,
                             "large_inflow")
        return
    rule = await load_rule(session, "large_outflow")
    share = (day.outflow * 100 / day.opening_balance) if day.opening_balance > 0 else Decimal(100)
    if day.outflow < Decimal(str(rule["amount"])) and share < Decimal(str(rule["share_of_balance_pct"])):
        return
    calendar, days = await load_calendar(session), int(rule["business_days"])
    await _raise(session, envelope, rule, account=event.account_id, cif=event.customer_id, anchor=day.day,
                 due=calendar.add_business_days(day.day, days), amount=day.outflow,
                 params={"outflow": str(day.outflow), "share_pct": str(share.quantize(Decimal("0.1"))),
                         "opening_balance": str(day.opening_balance), "business_days": days, "returned": "0"})


async def _money_returned(session: AsyncSession, envelope: Envelope, event: DepositChanged) -> None:
    """Money flowing back into the account counts against the outflow; all of it back — no call needed."""
    for task in await open_tasks(session, "large_outflow", event.account_id):
        returned = Decimal(task.params.get("returned", "0")) + event.amount
        task.params = {**task.params, "returned": str(returned)}
        session.add(task)
        if returned >= (task.amount or 0):
            await cancel_task(session, task, "deposit_returned", business_date=envelope.business_date, now=utcnow())


async def on_deposit_closed(session: AsyncSession, envelope: Envelope, event: DepositClosed) -> None:
    for task in await open_tasks(session, "time_deposit_maturity", event.account_id):
        await cancel_task(session, task, "account_closed", business_date=envelope.business_date, now=utcnow())

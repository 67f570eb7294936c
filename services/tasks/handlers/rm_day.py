"""What other services tell the tasks service about the RM's day, kept for the summaries (day_activity):
interactions logged (they also keep the day's booked appointments with that customer), marketing
results registered and confirmed, and the accounts gold-or-better customers open and close (the weekly
summary's premium accounts, 反馈优质客户开户与销户情况). Each fact is one row keyed by (kind, ref), so a
re-delivered event rewrites the row it wrote before."""
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import CustomerBook, DayActivity
from services.tasks.rules import PREMIUM_TIERS
from services.tasks.service.appointments import keep_appointments
from shared.bulk import put_rows
from shared.clock import utcnow
from shared.db import one_of
from shared.events import DepositClosed, DepositOpened, InteractionLogged, MarketingResultConfirmed
from shared.handlers import Item, batched

KEY = ("kind", "ref")


def _unique(rows: list[dict]) -> list[dict]:
    """The last row per key, sorted (one lock order): what applying them one by one would leave."""
    return sorted({(r["kind"], r["ref"]): r for r in rows}.values(), key=lambda r: (r["kind"], r["ref"]))


@batched
async def on_interactions(session: AsyncSession, items: list[Item]) -> None:
    events = [i.data for i in items if isinstance(i.data, InteractionLogged)]
    rows = [{"kind": "interaction", "ref": e.interaction_id, "rm": e.rm, "day": e.occurred_on, "cif": e.customer_id,
             "detail": {"channel": e.channel, "task_id": e.task_id}} for e in events]
    await put_rows(session, DayActivity, _unique(rows), KEY, update=("rm", "day", "cif", "detail"))
    await keep_appointments(session, {(e.rm, e.customer_id, e.occurred_on) for e in events}, utcnow())


def marketing_row(event) -> dict:
    confirmed = isinstance(event, MarketingResultConfirmed)
    return {"kind": "marketing_result", "ref": event.result_id, "rm": event.rm, "day": event.result_date,
            "cif": event.customer_id,
            "detail": {"category": event.category, "amount": None if event.amount is None else str(event.amount),
                       "count": event.count, "status": "confirmed" if confirmed else "registered"}}


@batched
async def on_marketing_results(session: AsyncSession, items: list[Item]) -> None:
    """A confirmation overwrites the registration; a registration never undoes a confirmation."""
    confirmed = [marketing_row(i.data) for i in items if isinstance(i.data, MarketingResultConfirmed)]
    registered = [marketing_row(i.data) for i in items if not isinstance(i.data, MarketingResultConfirmed)]
    await put_rows(session, DayActivity, _unique(registered), KEY)
    await put_rows(session, DayActivity, _unique(confirmed), KEY, update=("rm", "day", "cif", "detail"))


async def record_premium_accounts(session: AsyncSession, items: list[Item]) -> None:
    """Called by the deposit handlers: openings and closings of premium customers' accounts, credited to
    the customer's owner at the time."""
    accounts = [i.data for i in items if isinstance(i.data, (DepositOpened, DepositClosed))]
    if not accounts:
        return
    cifs = {a.customer_id for a in accounts}
    book = {r.cif: r for r in (await session.execute(select(CustomerBook.cif, CustomerBook.owner, CustomerBook.tier)
                                                     .where(one_of(session, CustomerBook.cif, cifs)))).all()}
    rows = []
    for event in accounts:
        owner = book.get(event.customer_id)
        if owner is None or owner.tier not in PREMIUM_TIERS:
            continue
        if isinstance(event, DepositOpened):
            kind, day, product = "account_opened", event.opened_on, event.product
        else:
            kind, day, product = "account_closed", event.closed_on, None
        rows.append({"kind": kind, "ref": event.account_id, "rm": owner.owner, "day": day, "cif": event.customer_id,
                     "detail": {"tier": owner.tier, "product": product}})
    await put_rows(session, DayActivity, _unique(rows), KEY, update=("rm", "day", "cif", "detail"))

"""Core-banking facts that confirm registered marketing results: an account opened (deposit and wealth
results), a loan disbursed, a fee posted (a reversal confirms nothing). The deposit and loan handlers
call confirm_results on their run; fee.posted has only this handler."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.service.marketing import Fact, confirm_by_events
from shared.clock import utcnow
from shared.events import DepositOpened, FeePosted, LoanDisbursed
from shared.handlers import Item, batched


def _fact(item: Item) -> Fact | None:
    event = item.data
    if isinstance(event, DepositOpened):
        return Fact("deposit.opened", event.account_id, event.customer_id, event.opened_on)
    if isinstance(event, LoanDisbursed):
        return Fact("loan.disbursed", event.loan_id, event.customer_id, event.disbursed_on)
    if isinstance(event, FeePosted) and event.amount > 0:
        return Fact("fee.posted", event.fee_id, event.customer_id, event.posted_on)
    return None


async def confirm_results(session: AsyncSession, items: list[Item]) -> None:
    await confirm_by_events(session, [fact for item in items if (fact := _fact(item))], utcnow())


@batched
async def on_fees(session: AsyncSession, items: list[Item]) -> None:
    await confirm_results(session, items)

"""Deposit events (corebanking.deposits): what each does to the one account it names, and the handler
that applies a poll's run of them to the holdings and tiers (holdings.py)."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.handlers.holdings import Effect, apply_run
from services.customer.rules import NIL
from shared.events import DepositChanged, DepositClosed, DepositOpened
from shared.handlers import Item, batched


def open_account(account, event: DepositOpened) -> None:
    account.product, account.currency, account.opened_on = event.product, event.currency, event.opened_on
    account.maturity_date, account.closed_on = event.maturity_date, None


def change_balance(account, event: DepositChanged) -> None:
    account.product, account.balance = event.product, event.balance   # core banking's balance is the truth


def close_account(account, event: DepositClosed) -> None:
    account.closed_on, account.balance = event.closed_on, NIL


DEPOSIT_EFFECTS = {
    "deposit.opened": Effect(open_account, moves_balance=True),
    "deposit.changed": Effect(change_balance, moves_balance=True),
    "deposit.closed": Effect(close_account, moves_balance=True),
}


@batched
async def on_deposits(session: AsyncSession, items: list[Item]) -> None:
    """All deposit types share this one handler, so a partition's whole poll is one run however the
    types interleave."""
    await apply_run(session, items, "deposits", DEPOSIT_EFFECTS)

"""Which event changes what in the customer service: one table from event type to handler.

Core-banking events keep the holdings projection and the tier; task events keep the open-task read
model the departure-handover checklist lists (we never ask the tasks service)."""
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.handover import OpenTask
from services.customer.holdings import deposit_account, loan_holding, recompute_tier, record_day_total
from shared.clock import utcnow
from shared.events import (DepositChanged, DepositClosed, DepositOpened, Envelope, LoanClassified, LoanDisbursed,
                           LoanDue, LoanOverdue, LoanRepaid, TaskCancelled, TaskCompleted, TaskCreated)


async def _balances_moved(session: AsyncSession, envelope: Envelope, cif: str, kind: str) -> None:
    await record_day_total(session, cif, kind, envelope.business_date)
    await recompute_tier(session, cif, business_date=envelope.business_date, now=utcnow())


async def on_deposit_opened(session: AsyncSession, envelope: Envelope, event: DepositOpened) -> None:
    account = await deposit_account(session, event.account_id, event.customer_id, event.product)
    account.product, account.currency, account.opened_on = event.product, event.currency, event.opened_on
    account.maturity_date, account.closed_on = event.maturity_date, None
    session.add(account)
    await _balances_moved(session, envelope, event.customer_id, "deposits")


async def on_deposit_changed(session: AsyncSession, envelope: Envelope, event: DepositChanged) -> None:
    account = await deposit_account(session, event.account_id, event.customer_id, event.product)
    account.product, account.balance = event.product, event.balance   # core banking's balance is the truth
    session.add(account)
    await _balances_moved(session, envelope, event.customer_id, "deposits")


async def on_deposit_closed(session: AsyncSession, envelope: Envelope, event: DepositClosed) -> None:
    account = await deposit_account(session, event.account_id, event.customer_id)
    account.closed_on, account.balance = event.closed_on, Decimal("0.00")
    session.add(account)
    await _balances_moved(session, envelope, event.customer_id, "deposits")


async def on_loan_disbursed(session: AsyncSession, envelope: Envelope, event: LoanDisbursed) -> None:
    loan = await loan_holding(session, event.loan_id, event.customer_id)
    loan.product, loan.principal, loan.outstanding = event.product, event.principal, event.principal
    loan.disbursed_on, loan.maturity_date, loan.classification = event.disbursed_on, event.maturity_date, \
        event.classification
    session.add(loan)
    await _balances_moved(session, envelope, event.customer_id, "loans")


async def on_loan_due(session: AsyncSession, envelope: Envelope, event: LoanDue) -> None:
    loan = await loan_holding(session, event.loan_id, event.customer_id)
    loan.next_due_date, loan.outstanding = event.due_date, event.outstanding_balance
    session.add(loan)
    await _balances_moved(session, envelope, event.customer_id, "loans")


async def on_loan_repaid(session: AsyncSession, envelope: Envelope, event: LoanRepaid) -> None:
    loan = await loan_holding(session, event.loan_id, event.customer_id)
    loan.outstanding = event.outstanding_balance
    if event.outstanding_balance == 0:  # paid off: nothing can still be overdue
        loan.days_overdue, loan.overdue_principal, loan.overdue_interest = 0, Decimal("0.00"), Decimal("0.00")
    session.add(loan)
    await _balances_moved(session, envelope, event.customer_id, "loans")


async def on_loan_overdue(session: AsyncSession, envelope: Envelope, event: LoanOverdue) -> None:
    loan = await loan_holding(session, event.loan_id, event.customer_id)
    loan.days_overdue, loan.overdue_principal, loan.overdue_interest = (event.days_overdue, event.overdue_principal,
                                                                        event.overdue_interest)
    session.add(loan)


async def on_loan_classified(session: AsyncSession, envelope: Envelope, event: LoanClassified) -> None:
    loan = await loan_holding(session, event.loan_id, event.customer_id)
    loan.classification = event.to_class
    session.add(loan)


async def on_task_created(session: AsyncSession, envelope: Envelope, event: TaskCreated) -> None:
    if await session.get(OpenTask, event.task_id) is not None:
        return
    session.add(OpenTask(task_id=event.task_id, cif=event.customer_id, assignee=event.assignee, kind=event.kind,
                         due_date=event.due_date))


async def on_task_closed(session: AsyncSession, envelope: Envelope, event: TaskCompleted | TaskCancelled) -> None:
    task = await session.get(OpenTask, event.task_id)
    if task is not None:
        await session.delete(task)


HANDLERS = {
    "deposit.opened": on_deposit_opened,
    "deposit.changed": on_deposit_changed,
    "deposit.closed": on_deposit_closed,
    "loan.disbursed": on_loan_disbursed,
    "loan.due": on_loan_due,
    "loan.repaid": on_loan_repaid,
    "loan.overdue": on_loan_overdue,
    "loan.classified": on_loan_classified,
    "task.created": on_task_created,
    "task.completed": on_task_closed,
    "task.cancelled": on_task_closed,
}

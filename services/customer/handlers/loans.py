"""Loan events (corebanking.loans): what each does to the one loan it names, and the handler that
applies a poll's run of them to the holdings and tiers (holdings.py)."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.handlers.holdings import Effect, apply_run
from services.customer.rules import NIL
from shared.events import LoanClassified, LoanDisbursed, LoanDue, LoanOverdue, LoanRepaid
from shared.handlers import Item, batched


def disburse(loan, event: LoanDisbursed) -> None:
    loan.product, loan.principal, loan.outstanding = event.product, event.principal, event.principal
    loan.disbursed_on, loan.maturity_date, loan.classification = event.disbursed_on, event.maturity_date, \
        event.classification


def fall_due(loan, event: LoanDue) -> None:
    loan.next_due_date, loan.outstanding = event.due_date, event.outstanding_balance


def repay(loan, event: LoanRepaid) -> None:
    loan.outstanding = event.outstanding_balance
    if event.outstanding_balance == 0:  # paid off: nothing can still be overdue
        loan.days_overdue, loan.overdue_principal, loan.overdue_interest = 0, NIL, NIL


def fall_overdue(loan, event: LoanOverdue) -> None:
    loan.days_overdue, loan.overdue_principal, loan.overdue_interest = (event.days_overdue, event.overdue_principal,
                                                                        event.overdue_interest)


def classify(loan, event: LoanClassified) -> None:
    loan.classification = event.to_class


LOAN_EFFECTS = {
    "loan.disbursed": Effect(disburse, moves_balance=True),
    "loan.due": Effect(fall_due, moves_balance=True),
    "loan.repaid": Effect(repay, moves_balance=True),
    # overdue and classification leave the balance, so the day total and the tier, as they are
    "loan.overdue": Effect(fall_overdue, moves_balance=False),
    "loan.classified": Effect(classify, moves_balance=False),
}


@batched
async def on_loans(session: AsyncSession, items: list[Item]) -> None:
    await apply_run(session, items, "loans", LOAN_EFFECTS)

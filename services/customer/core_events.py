"""What each core-banking event does to the one holding it names (a deposit account or a loan).

One table, used by both ways of applying events — the per-event handlers (handlers.py) on ORM rows and
the set-based runs (holdings_runs.py) on rows held in memory — so the two cannot drift apart: an
effect only sets attributes, whatever object carries them.
"""
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from shared.events import (DepositChanged, DepositClosed, DepositOpened, EventData, LoanClassified, LoanDisbursed,
                           LoanDue, LoanOverdue, LoanRepaid)

NIL = Decimal("0.00")


def open_account(account, event: DepositOpened) -> None:
    account.product, account.currency, account.opened_on = event.product, event.currency, event.opened_on
    account.maturity_date, account.closed_on = event.maturity_date, None


def change_balance(account, event: DepositChanged) -> None:
    account.product, account.balance = event.product, event.balance   # core banking's balance is the truth


def close_account(account, event: DepositClosed) -> None:
    account.closed_on, account.balance = event.closed_on, NIL


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


@dataclass(frozen=True)
class Effect:
    kind: str                               # which balance the holding counts in: deposits / loans
    apply: Callable[[object, EventData], None]
    moves_balance: bool                     # day total and tier follow (overdue and classification do not)

    def holding_id(self, event: EventData) -> str:
        return event.account_id if self.kind == "deposits" else event.loan_id

    def product(self, event: EventData) -> str:
        """Product of an account this event is the first to mention (a closure names none: demand)."""
        return getattr(event, "product", "demand")


EFFECTS = {
    "deposit.opened": Effect("deposits", open_account, True),
    "deposit.changed": Effect("deposits", change_balance, True),
    "deposit.closed": Effect("deposits", close_account, True),
    "loan.disbursed": Effect("loans", disburse, True),
    "loan.due": Effect("loans", fall_due, True),
    "loan.repaid": Effect("loans", repay, True),
    "loan.overdue": Effect("loans", fall_overdue, False),
    "loan.classified": Effect("loans", classify, False),
}

"""What core banking publishes (docs/contract.md §1): the data of each inbound event type."""
from datetime import date
from typing import Literal

from pydantic import StrictBool

from shared.events.envelope import EventData
from shared.events.values import Balance, Cif, DaysOverdue, DepositProduct, LoanClass, Money


class LoanDisbursed(EventData):
    loan_id: str
    customer_id: Cif
    product: str
    principal: Balance
    currency: Literal["CNY"]
    disbursed_on: date
    maturity_date: date
    government_related: StrictBool
    classification: LoanClass


class LoanDue(EventData):
    loan_id: str
    customer_id: Cif
    due_date: date
    principal_due: Balance
    interest_due: Balance
    outstanding_balance: Balance
    government_related: StrictBool | None = None   # optional: when absent, the loan's flag at disbursement


class LoanRepaid(EventData):
    loan_id: str
    customer_id: Cif
    repaid_on: date
    principal_paid: Balance
    interest_paid: Balance
    outstanding_balance: Balance


class LoanOverdue(EventData):
    loan_id: str
    customer_id: Cif
    as_of: date
    days_overdue: DaysOverdue
    overdue_principal: Balance
    overdue_interest: Balance


class LoanClassified(EventData):
    loan_id: str
    customer_id: Cif
    as_of: date
    from_class: LoanClass
    to_class: LoanClass


class DepositOpened(EventData):
    account_id: str
    customer_id: Cif
    product: DepositProduct
    currency: Literal["CNY"]
    opened_on: date
    maturity_date: date | None = None


class DepositChanged(EventData):
    account_id: str
    customer_id: Cif
    product: DepositProduct
    currency: Literal["CNY"]
    amount: Money
    balance: Balance
    channel: str | None = None


class DepositClosed(EventData):
    account_id: str
    customer_id: Cif
    closed_on: date


class FeePosted(EventData):
    """Intermediate business income (中间业务收入); a reversal is a second event with a negative amount."""
    fee_id: str
    customer_id: Cif
    category: Literal["settlement", "wealth", "card", "fx", "guarantee", "agency", "other"]
    amount: Money
    currency: Literal["CNY"]
    posted_on: date
    reverses: str | None = None


CORE_BANKING_TYPES: dict[str, type[EventData]] = {
    "loan.disbursed": LoanDisbursed,
    "loan.due": LoanDue,
    "loan.repaid": LoanRepaid,
    "loan.overdue": LoanOverdue,
    "loan.classified": LoanClassified,
    "deposit.opened": DepositOpened,
    "deposit.changed": DepositChanged,
    "deposit.closed": DepositClosed,
    "fee.posted": FeePosted,
}

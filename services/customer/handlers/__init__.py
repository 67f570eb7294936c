"""Which event changes what in the customer service: one table from event type to handler, every one
set-based (a lone event is a run of one). Core-banking events keep the holdings projection, the day
totals and the tier (deposits.py, loans.py over holdings.py); task events keep the open-task read model
(tasks.py); the bank's calendar edits keep the business-day overrides (calendar.py)."""
from services.customer.handlers.calendar import CALENDAR_HANDLERS
from services.customer.handlers.deposits import DEPOSIT_EFFECTS, on_deposits
from services.customer.handlers.loans import LOAN_EFFECTS, on_loans
from services.customer.handlers.marketing import on_fees
from services.customer.handlers.tasks import TASK_HANDLERS

HANDLERS = {**dict.fromkeys(DEPOSIT_EFFECTS, on_deposits), **dict.fromkeys(LOAN_EFFECTS, on_loans), **TASK_HANDLERS,
            **CALENDAR_HANDLERS, "fee.posted": on_fees}

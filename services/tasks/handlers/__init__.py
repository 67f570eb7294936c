"""Which event makes what happen in the tasks service: the table from event type to its set-based
handler (a lone event is a run of one). One handler serves a whole family, so its interleaved types
form one run applied in event order."""
from services.tasks.handlers.appraisal_requests import on_scoring_requests
from services.tasks.handlers.controls import on_control_events
from services.tasks.handlers.customers import on_customer_events
from services.tasks.handlers.deposits import on_deposit_changes, on_deposit_closings, on_deposit_openings
from services.tasks.handlers.interactions import on_interactions
from services.tasks.handlers.loans import on_loan_events
from services.tasks.handlers.rm_day import on_marketing_results
from services.tasks.handlers.staff import on_staff_changes

HANDLERS = {
    "appraisal.scoring-requested": on_scoring_requests,
    "customer.registered": on_customer_events,
    "customer.assigned": on_customer_events,
    "customer.tier-changed": on_customer_events,
    "customer.contact-changed": on_customer_events,
    "customer.changed": on_customer_events,
    "staff.changed": on_staff_changes,
    "interaction.logged": on_interactions,
    "loan.disbursed": on_loan_events,
    "loan.due": on_loan_events,
    "loan.repaid": on_loan_events,
    "loan.overdue": on_loan_events,
    "loan.classified": on_loan_events,
    "deposit.opened": on_deposit_openings,
    "deposit.changed": on_deposit_changes,
    "deposit.closed": on_deposit_closings,
    **dict.fromkeys(("credit.application-ready", "credit.application-submitted", "complaint.filed",
                     "complaint.escalated", "complaint.resolved", "callback.requested", "callback.recorded"),
                    on_control_events),
    "marketing-result.registered": on_marketing_results,
    "marketing-result.confirmed": on_marketing_results,
}

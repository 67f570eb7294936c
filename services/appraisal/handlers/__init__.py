"""Events the appraisal service consumes, type -> set-based handler (a lone event is a run of one).

Each handler keeps its events in the ledger first (handlers.ledger) and applies only those new there;
core banking has one handler for all its types, so a polled batch of a core-banking topic is one run.
"""
from services.appraisal.handlers import activity, core_banking, fees, ledger, ownership, service_checks, staff, tasks

HANDLERS = {
    **dict.fromkeys(core_banking.TYPES, core_banking.on_core_banking),
    "customer.assigned": ownership.on_customer_assigned,
    **dict.fromkeys(activity.TYPES, activity.on_deeds),
    **dict.fromkeys(tasks.TYPES, tasks.on_task_events),
    "fee.posted": fees.on_fee_posted,
    "staff.changed": staff.on_staff_changed,
    **dict.fromkeys(service_checks.TYPES, service_checks.on_service_checks),
    **dict.fromkeys(ledger.KEPT_ONLY, ledger.keep_facts),
}

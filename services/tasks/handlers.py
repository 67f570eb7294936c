"""Which event makes what happen in the tasks service: one table from event type to handler.
Customer and staff events keep the projections; banking events go through the rules in loans/deposits."""
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import load_calendar
from services.tasks.deposit_runs import on_deposit_changes, on_deposit_openings
from services.tasks.deposits import on_deposit_changed, on_deposit_closed, on_deposit_opened
from services.tasks.loan_runs import on_loan_events
from services.tasks.loans import (on_loan_classified, on_loan_disbursed, on_loan_due, on_loan_overdue,
                                  on_loan_repaid)
from services.tasks.models import OPEN_STATUSES, CustomerBook, StaffEntry, Task
from services.tasks.rules import load_rule, tier_rank
from services.tasks.service import book_entry, follow_owner, new_task, raise_task
from shared.clock import utcnow
from shared.events import (CustomerAssigned, CustomerContactChanged, CustomerRegistered, CustomerTierChanged,
                           Envelope, ScoringRequested, StaffChanged)


async def on_customer_registered(session: AsyncSession, envelope: Envelope, event: CustomerRegistered) -> None:
    book = await book_entry(session, event.customer_id) or CustomerBook(cif=event.customer_id)
    book.customer_ref, book.government_related = event.customer_ref, event.government_related
    book.kind, book.birthday = event.kind, event.birthday
    book.unit_path = book.unit_path or event.unit_path
    session.add(book)
    # An event that arrived before we knew the customer waits in the bank-wide queue; give it its unit.
    await follow_owner(session, book, await load_calendar(session), envelope.business_date, utcnow())


async def on_customer_assigned(session: AsyncSession, envelope: Envelope, event: CustomerAssigned) -> None:
    if event.role != "A":
        return  # tasks go to the A岗 manager; B岗 sees them through the team view
    book = await book_entry(session, event.customer_id) or CustomerBook(cif=event.customer_id)
    book.customer_ref, book.owner, book.owner_team = event.customer_ref, event.owner, event.owner_team
    book.unit_path, book.government_related, book.updated_at = event.unit_path, event.government_related, utcnow()
    session.add(book)
    await follow_owner(session, book, await load_calendar(session), envelope.business_date, utcnow())


async def _customer_task(session: AsyncSession, envelope: Envelope, rule_name: str, cif: str, params: dict) -> None:
    """A review/visit some business days after a change in the customer relationship."""
    rule, calendar = await load_rule(session, rule_name), await load_calendar(session)
    days = int(rule["business_days"])
    task = new_task(rule, subject=cif, anchor=envelope.business_date, book=await book_entry(session, cif), cif=cif,
                    due_date=calendar.add_business_days(envelope.business_date, days), now=utcnow(),
                    source_event_id=envelope.id, params={**params, "business_days": days})
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


async def on_tier_changed(session: AsyncSession, envelope: Envelope, event: CustomerTierChanged) -> None:
    book = await book_entry(session, event.customer_id) or CustomerBook(cif=event.customer_id,
                                                                        customer_ref=event.customer_ref)
    book.tier, book.kind = event.to_tier, event.kind
    session.add(book)
    for task in (await session.exec(select(Task).where(Task.cif == event.customer_id,
                                                       Task.status.in_(OPEN_STATUSES)))).all():
        task.tier_rank = tier_rank(event.to_tier)
        session.add(task)
    await _customer_task(session, envelope, "tier_review", event.customer_id,
                         {"from_tier": event.from_tier, "to_tier": event.to_tier})


async def on_contact_changed(session: AsyncSession, envelope: Envelope, event: CustomerContactChanged) -> None:
    await _customer_task(session, envelope, "contact_remarketing", event.customer_id,
                         {"contact_name": event.contact_name, "contact_role": event.contact_role,
                          "change": event.change})


async def on_staff_changed(session: AsyncSession, envelope: Envelope, event: StaffChanged) -> None:
    staff = await session.get(StaffEntry, event.username) or StaffEntry(username=event.username)
    staff.roles, staff.unit_path, staff.team, staff.active = list(event.roles), event.unit_path, event.team, event.active
    session.add(staff)


async def on_scoring_requested(session: AsyncSession, envelope: Envelope, event: ScoringRequested) -> None:
    """Appraisal's request to score an RM becomes a task in the evaluator's agenda (reminded and
    escalated like any other task until it is done)."""
    rule = await load_rule(session, "qualitative_scoring")
    evaluator = await session.get(StaffEntry, event.evaluator)
    task = new_task(rule, subject=f"{event.plan_id}:{event.subject}", anchor=event.due_date, book=None, cif=None,
                    due_date=event.due_date, now=utcnow(), source_event_id=envelope.id,
                    params={"plan_id": event.plan_id, "subject": event.subject, "period": event.period,
                            "items": "、".join(event.items), "due_date": event.due_date.isoformat()})
    task.assignee = event.evaluator
    task.team, task.unit_path = (evaluator.team, evaluator.unit_path) if evaluator else (None, "")
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


HANDLERS = {
    "appraisal.scoring-requested": on_scoring_requested,
    "customer.registered": on_customer_registered,
    "customer.assigned": on_customer_assigned,
    "customer.tier-changed": on_tier_changed,
    "customer.contact-changed": on_contact_changed,
    "staff.changed": on_staff_changed,
    # one set-based handler for every loan type, so interleaved loan events still form one run
    "loan.disbursed": on_loan_events,
    "loan.due": on_loan_events,
    "loan.repaid": on_loan_events,
    "loan.overdue": on_loan_events,
    "loan.classified": on_loan_events,
    "deposit.opened": on_deposit_openings,     # set-based: a run of openings in a few statements
    "deposit.changed": on_deposit_changes,     # set-based: 90 % of the stream
    "deposit.closed": on_deposit_closed,
}

# The event-by-event handlers the set-based ones stand in for: the reference they must agree with
# (tests/tasks/test_ingest_runs.py) and the baseline of bench/bench_tasks_consumer.py.
PER_EVENT_HANDLERS = {
    **HANDLERS,
    "loan.disbursed": on_loan_disbursed,
    "loan.due": on_loan_due,
    "loan.repaid": on_loan_repaid,
    "loan.overdue": on_loan_overdue,
    "loan.classified": on_loan_classified,
    "deposit.opened": on_deposit_opened,
    "deposit.changed": on_deposit_changed,
}

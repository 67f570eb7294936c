"""Events the appraisal service consumes: each is kept in the ledger (the history recompute replays)
and, where an indicator needs it, projected into the live tables the scorecards read.

The handlers here apply one event at a time and are the reference for what each event does; the
consumer runs core-banking events and ledger-only events set-based (ingest.py), which must leave the
same state — tests/appraisal/test_batched_ingest.py holds the two together."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.freshness import bump, bump_owners_of
from services.appraisal.ingest import APPLY, due_key, keep_facts, ledger_row, on_core_banking
from services.appraisal.models import LedgerEvent, LoanRecord, StaffMember
from services.appraisal.projection import credit_activity, last_balance, place_balance, place_owner, record_flow
from shared.db import insert
from shared.events import (CustomerAssigned, CustomerWon, DepositChanged, DepositClosed, Envelope, EventData,
                           InteractionLogged, LoanClassified, LoanDisbursed, LoanDue, LoanRepaid, StaffChanged,
                           TaskCompleted)


async def record_fact(session: AsyncSession, envelope: Envelope, event: EventData) -> None:
    # Insert-or-skip: a second pass over the same events (a rebuild, a second consumer) keeps one row.
    await session.execute(insert(session, LedgerEvent).values(**ledger_row(envelope, event)).on_conflict_do_nothing())


def _when(envelope: Envelope) -> dict:
    return {"day": envelope.business_date.toordinal(), "occurred_at": envelope.occurred_at, "event_id": envelope.id}


async def on_deposit_changed(session: AsyncSession, envelope: Envelope, event: DepositChanged) -> None:
    await record_fact(session, envelope, event)
    await place_balance(session, account_id=event.account_id, kind="deposit", cif=event.customer_id,
                        product=event.product, balance=event.balance, **_when(envelope))
    await bump_owners_of(session, event.customer_id)


async def on_deposit_closed(session: AsyncSession, envelope: Envelope, event: DepositClosed) -> None:
    await record_fact(session, envelope, event)
    last = await last_balance(session, event.account_id)
    await place_balance(session, account_id=event.account_id, kind="deposit", cif=event.customer_id,
                        product=last.product if last else "demand", balance=0, **_when(envelope))
    await bump_owners_of(session, event.customer_id)


async def on_loan_disbursed(session: AsyncSession, envelope: Envelope, event: LoanDisbursed) -> None:
    await record_fact(session, envelope, event)
    loan = await session.get(LoanRecord, event.loan_id) or LoanRecord(loan_id=event.loan_id, cif=event.customer_id,
                                                                       principal=event.principal, disbursed_day=0)
    loan.principal, loan.disbursed_day = event.principal, envelope.business_date.toordinal()
    session.add(loan)
    await place_balance(session, account_id=event.loan_id, kind="loan", cif=event.customer_id, product=event.product,
                        balance=event.principal, **_when(envelope))
    await bump_owners_of(session, event.customer_id)


async def on_loan_repaid(session: AsyncSession, envelope: Envelope, event: LoanRepaid) -> None:
    await record_fact(session, envelope, event)
    last = await last_balance(session, event.loan_id)
    await place_balance(session, account_id=event.loan_id, kind="loan", cif=event.customer_id,
                        product=last.product if last else "loan", balance=event.outstanding_balance, **_when(envelope))
    await record_flow(session, key=envelope.id, loan_id=event.loan_id, cif=event.customer_id, on=event.repaid_on,
                      principal_paid=event.principal_paid, interest_paid=event.interest_paid)
    await bump_owners_of(session, event.customer_id)


async def on_loan_due(session: AsyncSession, envelope: Envelope, event: LoanDue) -> None:
    await record_fact(session, envelope, event)
    await record_flow(session, key=due_key(event), loan_id=event.loan_id, cif=event.customer_id, on=event.due_date,
                      principal_due=event.principal_due, interest_due=event.interest_due)
    await bump_owners_of(session, event.customer_id)


async def on_loan_classified(session: AsyncSession, envelope: Envelope, event: LoanClassified) -> None:
    await record_fact(session, envelope, event)
    loan = await session.get(LoanRecord, event.loan_id)
    if loan is not None:  # a class for a loan never disbursed here stays in the ledger only
        loan.classification = event.to_class
        session.add(loan)
    await bump_owners_of(session, event.customer_id)


async def on_customer_assigned(session: AsyncSession, envelope: Envelope, event: CustomerAssigned) -> None:
    # The day of a transfer belongs to the new owner: the assignment counts from its business date.
    await record_fact(session, envelope, event)
    await place_owner(session, cif=event.customer_id, role=event.role, owner=event.owner, **_when(envelope))
    await bump_owners_of(session, event.customer_id, event.owner)


async def on_customer_won(session: AsyncSession, envelope: Envelope, event: CustomerWon) -> None:
    await record_fact(session, envelope, event)
    await credit_activity(session, event_id=envelope.id, kind="won", username=event.owner,
                          day=envelope.business_date.toordinal(), cif=event.customer_id)
    await bump(session, event.owner)


async def on_interaction_logged(session: AsyncSession, envelope: Envelope, event: InteractionLogged) -> None:
    await record_fact(session, envelope, event)
    await credit_activity(session, event_id=envelope.id, kind="interaction", username=event.rm,
                          day=event.occurred_on.toordinal(), cif=event.customer_id)
    await bump(session, event.rm)


async def on_task_completed(session: AsyncSession, envelope: Envelope, event: TaskCompleted) -> None:
    await record_fact(session, envelope, event)
    await credit_activity(session, event_id=envelope.id, kind="task_completed", username=event.assignee,
                          day=event.completed_on.toordinal(), cif=event.customer_id, on_time=event.on_time)
    await bump(session, event.assignee)


async def on_staff_changed(session: AsyncSession, envelope: Envelope, event: StaffChanged) -> None:
    await record_fact(session, envelope, event)
    member = await session.get(StaffMember, event.username) or StaffMember(username=event.username, display_name="",
                                                                           roles=[], unit="", unit_path="")
    member.display_name, member.roles, member.unit = event.display_name, list(event.roles), event.unit
    member.unit_path, member.team, member.active = event.unit_path, event.team, event.active
    session.add(member)
    await bump(session, event.username)


PROJECTED = {  # one event at a time
    "deposit.changed": on_deposit_changed, "deposit.closed": on_deposit_closed,
    "loan.disbursed": on_loan_disbursed, "loan.repaid": on_loan_repaid, "loan.due": on_loan_due,
    "loan.classified": on_loan_classified,
    "customer.assigned": on_customer_assigned, "customer.won": on_customer_won,
    "interaction.logged": on_interaction_logged, "task.completed": on_task_completed,
    "staff.changed": on_staff_changed,
}
KEPT_ONLY = ("loan.overdue", "deposit.opened", "customer.registered", "customer.tier-changed",
             "task.created", "task.cancelled", "task.escalated")
PER_EVENT_HANDLERS = {**{event_type: record_fact for event_type in KEPT_ONLY}, **PROJECTED}
# What the consumer runs: one handler object for all core-banking types, so a polled batch of the
# deposits or loans topic is one run whatever its mix of types (shared.consumer groups runs by handler).
HANDLERS = {**PER_EVENT_HANDLERS, **{event_type: keep_facts for event_type in KEPT_ONLY},
            **{event_type: on_core_banking for event_type in APPLY}}

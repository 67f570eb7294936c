"""Loan events → tasks: collection ahead of due, overdue collection, downgrade review, post-loan
inspection; and the loan projection that tells when a cause has gone away (repaid)."""
from datetime import timedelta
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import load_calendar
from services.tasks.models import OPEN_STATUSES, LoanBook, StaffEntry, Task
from services.tasks.rules import LOAN_CLASSES, load_rule, risk_rank
from services.tasks.service import book_entry, cancel_task, loan_due_task, new_task, open_tasks, raise_task
from shared.clock import utcnow
from shared.events import Envelope, LoanClassified, LoanDisbursed, LoanDue, LoanOverdue, LoanRepaid


async def _loan(session: AsyncSession, loan_id: str, cif: str) -> LoanBook:
    return await session.get(LoanBook, loan_id) or LoanBook(loan_id=loan_id, cif=cif, principal=Decimal(0),
                                                            outstanding=Decimal(0))


async def on_loan_disbursed(session: AsyncSession, envelope: Envelope, event: LoanDisbursed) -> None:
    loan = await _loan(session, event.loan_id, event.customer_id)
    loan.principal, loan.outstanding, loan.classification = event.principal, event.principal, event.classification
    loan.disbursed_on, loan.maturity_date = event.disbursed_on, event.maturity_date
    session.add(loan)
    rule, calendar = await load_rule(session, "post_loan_inspection"), await load_calendar(session)
    within = int(rule["first_within_days"])
    due = max(calendar.on_or_before(event.disbursed_on + timedelta(days=within)),
              calendar.on_or_after(envelope.business_date))
    task = new_task(rule, subject=event.loan_id, anchor=event.disbursed_on, book=await book_entry(session, event.customer_id),
                    cif=event.customer_id, due_date=due, now=utcnow(), amount=event.principal,
                    source_event_id=envelope.id, risk_rank=risk_rank(event.classification),
                    params={"loan_id": event.loan_id, "product": event.product, "principal": str(event.principal),
                            "disbursed_on": event.disbursed_on.isoformat(), "within_days": within})
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


async def on_loan_due(session: AsyncSession, envelope: Envelope, event: LoanDue) -> None:
    owner = await book_entry(session, event.customer_id)
    task = loan_due_task(event, envelope.id, owner, await load_calendar(session), envelope.business_date, utcnow(),
                         await load_rule(session, "loan_due"))
    loan = await session.get(LoanBook, event.loan_id)
    task.risk_rank = risk_rank(loan.classification if loan else None)
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


async def on_loan_repaid(session: AsyncSession, envelope: Envelope, event: LoanRepaid) -> None:
    """A repayment that covers what a collection task chases closes it, with that reason."""
    loan = await _loan(session, event.loan_id, event.customer_id)
    loan.outstanding = event.outstanding_balance
    session.add(loan)
    paid, settled = event.principal_paid + event.interest_paid, event.outstanding_balance == 0
    for task in await open_tasks(session, "loan_due", event.loan_id) + await open_tasks(session, "loan_overdue",
                                                                                        event.loan_id):
        early = task.rule == "loan_overdue" or event.repaid_on <= task.anchor_date
        if early and (settled or paid >= (task.amount or 0)):
            await cancel_task(session, task, "loan_repaid", business_date=envelope.business_date, now=utcnow())
    if settled:
        for task in await open_tasks(session, "post_loan_inspection", event.loan_id):
            await cancel_task(session, task, "loan_settled", business_date=envelope.business_date, now=utcnow())


async def risk_manager_for(session: AsyncSession, unit_path: str) -> str | None:
    """The risk manager nearest the customer's unit: same unit first, then up the tree."""
    staff = (await session.exec(select(StaffEntry).where(StaffEntry.active))).all()
    covering = [s for s in staff if "risk_manager" in s.roles and s.unit_path
                and (unit_path == s.unit_path or unit_path.startswith(s.unit_path + "/"))]
    return max(covering, key=lambda s: (len(s.unit_path), s.username)).username if covering else None


async def on_loan_overdue(session: AsyncSession, envelope: Envelope, event: LoanOverdue) -> None:
    """One urgent collection per overdue episode (anchored on its first day); core banking re-sends it
    daily, which refreshes the amounts while the escalation sweep raises the level."""
    rule, calendar = await load_rule(session, "loan_overdue"), await load_calendar(session)
    book = await book_entry(session, event.customer_id)
    loan = await session.get(LoanBook, event.loan_id)
    task = new_task(rule, subject=event.loan_id, anchor=event.as_of - timedelta(days=event.days_overdue), book=book,
                    cif=event.customer_id, due_date=calendar.on_or_after(envelope.business_date), now=utcnow(),
                    amount=event.overdue_principal + event.overdue_interest, source_event_id=envelope.id,
                    risk_rank=risk_rank(loan.classification if loan else None),
                    params={"loan_id": event.loan_id, "days_overdue": event.days_overdue,
                            "overdue_principal": str(event.overdue_principal),
                            "overdue_interest": str(event.overdue_interest), "as_of": event.as_of.isoformat()})
    if int(rule["copy_risk_manager"]) and book:
        task.copied_to = await risk_manager_for(session, book.unit_path)
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


def worse(from_class: str, to_class: str) -> bool:
    return LOAN_CLASSES.index(to_class) > LOAN_CLASSES.index(from_class)


async def on_loan_classified(session: AsyncSession, envelope: Envelope, event: LoanClassified) -> None:
    loan = await _loan(session, event.loan_id, event.customer_id)
    loan.classification = event.to_class
    session.add(loan)
    for task in (await session.exec(select(Task).where(Task.subject == event.loan_id,
                                                       Task.status.in_(OPEN_STATUSES)))).all():
        task.risk_rank = risk_rank(event.to_class)   # the agenda ranks riskier loans first
        session.add(task)
    if not worse(event.from_class, event.to_class):
        return
    rule, calendar = await load_rule(session, "loan_downgraded"), await load_calendar(session)
    due = calendar.add_business_days(max(event.as_of, envelope.business_date), int(rule["business_days"]))
    task = new_task(rule, subject=event.loan_id, anchor=event.as_of, book=await book_entry(session, event.customer_id),
                    cif=event.customer_id, due_date=due, now=utcnow(), amount=loan.outstanding or None,
                    source_event_id=envelope.id, risk_rank=risk_rank(event.to_class),
                    params={"loan_id": event.loan_id, "from_class": event.from_class, "to_class": event.to_class,
                            "as_of": event.as_of.isoformat(), "business_days": int(rule["business_days"])})
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


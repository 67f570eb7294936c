"""Loan events → tasks: collection ahead of due, overdue collection, downgrade review, post-loan
inspection; and the loan projection that tells when a cause has gone away (repaid).
The task builders here are shared with the run-at-a-time path (loan_runs)."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import BusinessCalendar, load_calendar
from services.tasks.models import OPEN_STATUSES, CustomerBook, LoanBook, StaffEntry, Task
from services.tasks.rules import LOAN_CLASSES, Rule, load_rule, risk_rank
from services.tasks.service import book_entry, cancel_task, loan_due_task, new_task, open_tasks, raise_task
from shared.clock import utcnow
from shared.events import Envelope, LoanClassified, LoanDisbursed, LoanDue, LoanOverdue, LoanRepaid


def new_loan(loan_id: str, cif: str) -> LoanBook:
    return LoanBook(loan_id=loan_id, cif=cif, principal=Decimal(0), outstanding=Decimal(0))


async def _loan(session: AsyncSession, loan_id: str, cif: str) -> LoanBook:
    return await session.get(LoanBook, loan_id) or new_loan(loan_id, cif)


def disburse(loan: LoanBook, event: LoanDisbursed) -> None:
    loan.principal, loan.outstanding, loan.classification = event.principal, event.principal, event.classification
    loan.disbursed_on, loan.maturity_date = event.disbursed_on, event.maturity_date


def inspection_task(rule: Rule, calendar: BusinessCalendar, event: LoanDisbursed, *, book: CustomerBook | None,
                    business_date: date, event_id: str, now: datetime, make=new_task) -> Task:
    within = int(rule["first_within_days"])
    due = max(calendar.on_or_before(event.disbursed_on + timedelta(days=within)), calendar.on_or_after(business_date))
    return make(rule, subject=event.loan_id, anchor=event.disbursed_on, book=book, cif=event.customer_id,
                    due_date=due, now=now, amount=event.principal, source_event_id=event_id,
                    risk_rank=risk_rank(event.classification),
                    params={"loan_id": event.loan_id, "product": event.product, "principal": str(event.principal),
                            "disbursed_on": event.disbursed_on.isoformat(), "within_days": within})


async def on_loan_disbursed(session: AsyncSession, envelope: Envelope, event: LoanDisbursed) -> None:
    loan = await _loan(session, event.loan_id, event.customer_id)
    disburse(loan, event)
    session.add(loan)
    task = inspection_task(await load_rule(session, "post_loan_inspection"), await load_calendar(session), event,
                           book=await book_entry(session, event.customer_id), business_date=envelope.business_date,
                           event_id=envelope.id, now=utcnow())
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


async def on_loan_due(session: AsyncSession, envelope: Envelope, event: LoanDue) -> None:
    owner = await book_entry(session, event.customer_id)
    task = loan_due_task(event, envelope.id, owner, await load_calendar(session), envelope.business_date, utcnow(),
                         await load_rule(session, "loan_due"))
    loan = await session.get(LoanBook, event.loan_id)
    task.risk_rank = risk_rank(loan.classification if loan else None)
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


def repayment_closes(task: Task, event: LoanRepaid) -> bool:
    """A repayment closes a collection task when it covers what the task chases (or settles the loan);
    for a due-date collection, only a repayment on or before that date."""
    paid, settled = event.principal_paid + event.interest_paid, event.outstanding_balance == 0
    early = task.rule == "loan_overdue" or event.repaid_on <= task.anchor_date
    return early and (settled or paid >= (task.amount or 0))


async def on_loan_repaid(session: AsyncSession, envelope: Envelope, event: LoanRepaid) -> None:
    """A repayment that covers what a collection task chases closes it, with that reason."""
    loan = await _loan(session, event.loan_id, event.customer_id)
    loan.outstanding = event.outstanding_balance
    session.add(loan)
    for task in await open_tasks(session, "loan_due", event.loan_id) + await open_tasks(session, "loan_overdue",
                                                                                        event.loan_id):
        if repayment_closes(task, event):
            await cancel_task(session, task, "loan_repaid", business_date=envelope.business_date, now=utcnow())
    if event.outstanding_balance == 0:
        for task in await open_tasks(session, "post_loan_inspection", event.loan_id):
            await cancel_task(session, task, "loan_settled", business_date=envelope.business_date, now=utcnow())


def nearest_risk_manager(staff: list[StaffEntry], unit_path: str) -> str | None:
    """The risk manager nearest the customer's unit: same unit first, then up the tree."""
    covering = [s for s in staff if s.active and "risk_manager" in s.roles and s.unit_path
                and (unit_path == s.unit_path or unit_path.startswith(s.unit_path + "/"))]
    return max(covering, key=lambda s: (len(s.unit_path), s.username)).username if covering else None


async def active_staff(session: AsyncSession) -> list[StaffEntry]:
    return list((await session.exec(select(StaffEntry).where(StaffEntry.active))).all())


async def risk_manager_for(session: AsyncSession, unit_path: str) -> str | None:
    return nearest_risk_manager(await active_staff(session), unit_path)


def overdue_task(rule: Rule, calendar: BusinessCalendar, event: LoanOverdue, *, book: CustomerBook | None,
                 loan: LoanBook | None, business_date: date, event_id: str, now: datetime, make=new_task) -> Task:
    """One urgent collection per overdue episode (anchored on its first day)."""
    return make(rule, subject=event.loan_id, anchor=event.as_of - timedelta(days=event.days_overdue), book=book,
                    cif=event.customer_id, due_date=calendar.on_or_after(business_date), now=now,
                    amount=event.overdue_principal + event.overdue_interest, source_event_id=event_id,
                    risk_rank=risk_rank(loan.classification if loan else None),
                    params={"loan_id": event.loan_id, "days_overdue": event.days_overdue,
                            "overdue_principal": str(event.overdue_principal),
                            "overdue_interest": str(event.overdue_interest), "as_of": event.as_of.isoformat()})


async def on_loan_overdue(session: AsyncSession, envelope: Envelope, event: LoanOverdue) -> None:
    """Core banking re-sends an overdue daily, which refreshes the amounts of the episode's task while
    the escalation sweep raises the level."""
    rule, calendar = await load_rule(session, "loan_overdue"), await load_calendar(session)
    book = await book_entry(session, event.customer_id)
    task = overdue_task(rule, calendar, event, book=book, loan=await session.get(LoanBook, event.loan_id),
                        business_date=envelope.business_date, event_id=envelope.id, now=utcnow())
    if int(rule["copy_risk_manager"]) and book:
        task.copied_to = await risk_manager_for(session, book.unit_path)
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


def worse(from_class: str, to_class: str) -> bool:
    return LOAN_CLASSES.index(to_class) > LOAN_CLASSES.index(from_class)


def downgrade_task(rule: Rule, calendar: BusinessCalendar, event: LoanClassified, *, book: CustomerBook | None,
                   loan: LoanBook, business_date: date, event_id: str, now: datetime, make=new_task) -> Task:
    due = calendar.add_business_days(max(event.as_of, business_date), int(rule["business_days"]))
    return make(rule, subject=event.loan_id, anchor=event.as_of, book=book, cif=event.customer_id, due_date=due,
                    now=now, amount=loan.outstanding or None, source_event_id=event_id,
                    risk_rank=risk_rank(event.to_class),
                    params={"loan_id": event.loan_id, "from_class": event.from_class, "to_class": event.to_class,
                            "as_of": event.as_of.isoformat(), "business_days": int(rule["business_days"])})


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
    task = downgrade_task(await load_rule(session, "loan_downgraded"), await load_calendar(session), event,
                          book=await book_entry(session, event.customer_id), loan=loan,
                          business_date=envelope.business_date, event_id=envelope.id, now=utcnow())
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())

"""Loan events → tasks: collection ahead of due, overdue collection (copied to the risk manager),
downgrade review, post-loan inspection; cancelled when a repayment covers or settles; and the loan
projection that tells whether a cause has gone away.

One handler takes every loan event type, so a partition's consecutive loan events (disbursed, due,
repaid, overdue, classified interleave) form one run: its loans, owners, tasks, rules and staff are
read in a handful of queries, each event applied in memory in event order, the rows written back in
one upsert per table."""
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import Table, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import CustomerBook, LoanBook
from services.tasks.rules import LoanDueRule, Rule, is_downgrade, load_rules, repayment_closes, risk_rank
from services.tasks.service.calendar import BusinessCalendar, load_calendar
from services.tasks.service.lifecycle import TaskRow, new_task
from services.tasks.service.routing import active_staff, nearest_risk_manager
from services.tasks.service.task_set import TaskSet, chunks, load_books
from shared.bulk import put_rows
from shared.clock import utcnow
from shared.db import one_of, plain_rows
from shared.events import LoanClassified, LoanDisbursed, LoanDue, LoanOverdue, LoanRepaid
from shared.handlers import Item, batched
from shared.logging import request_id_var

RULES = ("loan_due", "loan_overdue", "loan_downgraded", "post_loan_inspection")
LOANS: Table = LoanBook.__table__
Book = CustomerBook | None


def inspection_task(rule: Rule, calendar: BusinessCalendar, event: LoanDisbursed, *, book: Book, business_date: date,
                    event_id: str, now: datetime) -> TaskRow:
    within = int(rule["first_within_days"])
    due = max(calendar.on_or_before(event.disbursed_on + timedelta(days=within)), calendar.on_or_after(business_date))
    return new_task(rule, subject=event.loan_id, anchor=event.disbursed_on, book=book, cif=event.customer_id,
                    due_date=due, now=now, amount=event.principal, source_event_id=event_id,
                    risk_rank=risk_rank(event.classification),
                    params={"loan_id": event.loan_id, "product": event.product, "principal": str(event.principal),
                            "disbursed_on": event.disbursed_on.isoformat(), "within_days": within})


def loan_due_task(rule: Rule, calendar: BusinessCalendar, event: LoanDue, *, book: Book, classification: str | None,
                  business_date: date, event_id: str, now: datetime) -> TaskRow:
    government, numbers = bool(book and book.government_related), LoanDueRule.of(rule)
    return new_task(rule, subject=event.loan_id, anchor=event.due_date, book=book, cif=event.customer_id,
                    due_date=numbers.due_date(calendar, event.due_date, government, business_date), now=now,
                    amount=event.principal_due + event.interest_due, source_event_id=event_id,
                    risk_rank=risk_rank(classification),
                    params={"loan_id": event.loan_id, "loan_due_date": event.due_date.isoformat(),
                            "principal_due": str(event.principal_due), "interest_due": str(event.interest_due),
                            "outstanding_balance": str(event.outstanding_balance),
                            "lead_days": numbers.lead_for(government), "rule_lead_days": numbers.lead_days,
                            "rule_lead_days_government": numbers.lead_days_government,
                            "government_note_key": "government" if government else ""})


def overdue_task(rule: Rule, calendar: BusinessCalendar, event: LoanOverdue, *, book: Book,
                 classification: str | None, business_date: date, event_id: str, now: datetime) -> TaskRow:
    """One urgent collection per overdue episode (anchored on its first day); core banking re-sends
    the overdue daily, which refreshes the episode's amounts while escalation raises the level."""
    return new_task(rule, subject=event.loan_id, anchor=event.as_of - timedelta(days=event.days_overdue), book=book,
                    cif=event.customer_id, due_date=calendar.on_or_after(business_date), now=now,
                    amount=event.overdue_principal + event.overdue_interest, source_event_id=event_id,
                    risk_rank=risk_rank(classification),
                    params={"loan_id": event.loan_id, "days_overdue": event.days_overdue,
                            "overdue_principal": str(event.overdue_principal),
                            "overdue_interest": str(event.overdue_interest), "as_of": event.as_of.isoformat()})


def downgrade_task(rule: Rule, calendar: BusinessCalendar, event: LoanClassified, *, book: Book,
                   outstanding: Decimal, business_date: date, event_id: str, now: datetime) -> TaskRow:
    due = calendar.add_business_days(max(event.as_of, business_date), int(rule["business_days"]))
    return new_task(rule, subject=event.loan_id, anchor=event.as_of, book=book, cif=event.customer_id, due_date=due,
                    now=now, amount=outstanding or None, source_event_id=event_id,
                    risk_rank=risk_rank(event.to_class),
                    params={"loan_id": event.loan_id, "from_class": event.from_class, "to_class": event.to_class,
                            "as_of": event.as_of.isoformat(), "business_days": int(rule["business_days"])})


def anchor_of(event) -> date | None:
    """The anchor date a task raised by this event would have (None: the event raises none)."""
    if isinstance(event, LoanDisbursed):
        return event.disbursed_on
    if isinstance(event, LoanDue):
        return event.due_date
    if isinstance(event, LoanOverdue):
        return event.as_of - timedelta(days=event.days_overdue)
    if isinstance(event, LoanClassified):
        return event.as_of
    return None


def new_loan(loan_id: str, cif: str) -> SimpleNamespace:
    """A loan first seen: nothing lent or owed until its disbursement says so."""
    return SimpleNamespace(loan_id=loan_id, cif=cif, principal=Decimal(0), outstanding=Decimal(0),
                           classification="normal", disbursed_on=None, maturity_date=None)


@batched
async def on_loan_events(session: AsyncSession, items: list[Item]) -> None:
    events = [i.data for i in items]
    loans: dict[str, SimpleNamespace] = {}
    for part in chunks(e.loan_id for e in events):
        rows = await session.execute(select(LOANS).where(one_of(session, LOANS.c.loan_id, part)))
        loans.update((row["loan_id"], SimpleNamespace(**row)) for row in plain_rows(rows))
    written: set[str] = set()
    tasks = await TaskSet.load(session, {e.loan_id for e in events}, {a for a in map(anchor_of, events) if a})
    books = await load_books(session, {e.customer_id for e in events})
    rules, calendar = await load_rules(session, RULES), await load_calendar(session)
    staff = await active_staff(session) if any(isinstance(e, LoanOverdue) for e in events) else []

    def loan_of(event) -> SimpleNamespace:
        written.add(event.loan_id)
        return loans.setdefault(event.loan_id, new_loan(event.loan_id, event.customer_id))

    def classification(event) -> str | None:
        return loans[event.loan_id].classification if event.loan_id in loans else None

    for item in items:
        event, envelope, now = item.data, item.envelope, utcnow()
        request_id_var.set(item.request_id)
        book, day, task = books.get(event.customer_id), envelope.business_date, None
        facts = {"book": book, "business_date": day, "event_id": envelope.id, "now": now}
        if isinstance(event, LoanDisbursed):
            loan = loan_of(event)
            loan.principal, loan.outstanding = event.principal, event.principal
            loan.classification = event.classification
            loan.disbursed_on, loan.maturity_date = event.disbursed_on, event.maturity_date
            task = inspection_task(rules["post_loan_inspection"], calendar, event, **facts)
        elif isinstance(event, LoanDue):
            task = loan_due_task(rules["loan_due"], calendar, event, classification=classification(event), **facts)
        elif isinstance(event, LoanRepaid):
            loan_of(event).outstanding = event.outstanding_balance
            paid, settled = event.principal_paid + event.interest_paid, event.outstanding_balance == 0
            for open_task in tasks.open(event.loan_id, "loan_due") + tasks.open(event.loan_id, "loan_overdue"):
                if repayment_closes(open_task.rule, open_task.anchor_date, open_task.amount, paid, settled,
                                    event.repaid_on):
                    tasks.cancel(open_task, "loan_repaid", business_date=day, now=now)
            if settled:
                for open_task in tasks.open(event.loan_id, "post_loan_inspection"):
                    tasks.cancel(open_task, "loan_settled", business_date=day, now=now)
        elif isinstance(event, LoanOverdue):
            rule = rules["loan_overdue"]
            task = overdue_task(rule, calendar, event, classification=classification(event), **facts)
            if int(rule["copy_risk_manager"]) and book:
                task.copied_to = nearest_risk_manager(staff, book.unit_path)
        elif isinstance(event, LoanClassified):
            loan = loan_of(event)
            loan.classification = event.to_class
            for open_task in tasks.open(event.loan_id):
                open_task.risk_rank = risk_rank(event.to_class)   # the agenda ranks riskier loans first
            if is_downgrade(event.from_class, event.to_class):
                task = downgrade_task(rules["loan_downgraded"], calendar, event, outstanding=loan.outstanding,
                                      **facts)
        if task is not None:
            tasks.raise_(task, business_date=day, now=now)
    rows = [vars(loans[loan_id]) for loan_id in sorted(written)]   # sorted: one lock order for all writers
    if rows:
        await put_rows(session, LOANS, rows, ("loan_id",), update=tuple(c for c in rows[0] if c != "loan_id"))
    await tasks.write()

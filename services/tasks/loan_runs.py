"""Loan events applied a run at a time. One handler takes every loan event type, so a partition's
consecutive loan events (disbursed, due, repaid, overdue, classified interleave) form one run: the
run's loans, owners, tasks, rules and staff are read in a handful of queries, each event is then
applied in memory in event order, and the rows go back in one flush. Effects are those of the
loans.on_loan_* handlers event by event (tests/tasks/test_ingest_runs.py)."""
from datetime import date, timedelta
from functools import cache
from types import SimpleNamespace

from sqlalchemy import Table, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import load_calendar
from services.tasks.loans import (active_staff, disburse, downgrade_task, inspection_task, nearest_risk_manager,
                                  new_loan, overdue_task, repayment_closes, worse)
from services.tasks.models import LoanBook
from services.tasks.rules import load_rules, risk_rank
from services.tasks.run_tasks import RunTasks, chunks, draft, load_books
from services.tasks.service import loan_due_task
from shared.bulk import put_rows, row_of
from shared.clock import utcnow
from shared.handlers import Item, batched
from shared.db import one_of, plain_rows
from shared.events import LoanClassified, LoanDisbursed, LoanDue, LoanOverdue, LoanRepaid
from shared.logging import request_id_var

RULES = ("loan_due", "loan_overdue", "loan_downgraded", "post_loan_inspection")
LOANS: Table = LoanBook.__table__


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


@batched
async def on_loan_events(session: AsyncSession, items: list[Item]) -> None:
    events = [i.data for i in items]
    # Plain rows, not ORM objects, written back in one upsert: a run of disbursements made an object
    # and an INSERT round trip per loan, the larger part of a loan run's cost.
    loans: dict[str, SimpleNamespace] = {}
    for part in chunks(e.loan_id for e in events):
        rows = await session.execute(select(LOANS).where(one_of(session, LOANS.c.loan_id, part)))
        loans.update((row["loan_id"], SimpleNamespace(**row)) for row in plain_rows(rows))
    written: set[str] = set()
    tasks = await RunTasks.load(session, {e.loan_id for e in events},
                                {a for a in map(anchor_of, events) if a is not None})
    books = await load_books(session, {e.customer_id for e in events})
    rules, calendar = await load_rules(session, RULES), await load_calendar(session)
    staff = await active_staff(session) if any(isinstance(e, LoanOverdue) for e in events) else []

    def loan_of(event) -> SimpleNamespace:   # the projection row, made on first sight (new_loan's defaults)
        if event.loan_id not in loans:
            loans[event.loan_id] = SimpleNamespace(**{**blank_loan(), "loan_id": event.loan_id,
                                                      "cif": event.customer_id})
        written.add(event.loan_id)
        return loans[event.loan_id]

    for item in items:
        event, envelope, now = item.data, item.envelope, utcnow()
        request_id_var.set(item.request_id)
        book, day, task = books.get(event.customer_id), envelope.business_date, None
        if isinstance(event, LoanDisbursed):
            disburse(loan_of(event), event)
            task = inspection_task(rules["post_loan_inspection"], calendar, event, book=book, business_date=day,
                                   event_id=envelope.id, now=now, make=draft)
        elif isinstance(event, LoanDue):
            task = loan_due_task(event, envelope.id, book, calendar, day, now, rules["loan_due"], make=draft)
            loan = loans.get(event.loan_id)
            task.risk_rank = risk_rank(loan.classification if loan else None)
        elif isinstance(event, LoanRepaid):
            loan_of(event).outstanding = event.outstanding_balance
            for open_task in tasks.open(event.loan_id, "loan_due") + tasks.open(event.loan_id, "loan_overdue"):
                if repayment_closes(open_task, event):
                    tasks.cancel(open_task, "loan_repaid", business_date=day, now=now)
            if event.outstanding_balance == 0:
                for open_task in tasks.open(event.loan_id, "post_loan_inspection"):
                    tasks.cancel(open_task, "loan_settled", business_date=day, now=now)
        elif isinstance(event, LoanOverdue):
            rule = rules["loan_overdue"]
            task = overdue_task(rule, calendar, event, book=book, loan=loans.get(event.loan_id), business_date=day,
                                event_id=envelope.id, now=now, make=draft)
            if int(rule["copy_risk_manager"]) and book:
                task.copied_to = nearest_risk_manager(staff, book.unit_path)
        elif isinstance(event, LoanClassified):
            loan = loan_of(event)
            loan.classification = event.to_class
            for open_task in tasks.open(event.loan_id):
                open_task.risk_rank = risk_rank(event.to_class)   # the agenda ranks riskier loans first
            if worse(event.from_class, event.to_class):
                task = downgrade_task(rules["loan_downgraded"], calendar, event, book=book, loan=loan,
                                      business_date=day, event_id=envelope.id, now=now, make=draft)
        if task is not None:
            tasks.raise_(task, business_date=day, now=now)
    rows = [vars(loans[loan_id]) for loan_id in sorted(written)]   # sorted: one lock order for all writers
    if rows:
        await put_rows(session, LOANS, rows, ("loan_id",), update=tuple(c for c in rows[0] if c != "loan_id"))
    await tasks.write()


@cache
def blank_loan() -> dict:
    """The columns of new_loan's row, taken once (a model per new loan costs more than its event)."""
    return row_of(new_loan("", ""), LOANS)

"""Which event makes what happen in the tasks service: one table from event type to handler."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.calendar import load_calendar
from services.tasks.models import CustomerBook
from services.tasks.service import book_entry, follow_owner, loan_due_task, raise_task
from shared.clock import utcnow
from shared.events import CustomerAssigned, CustomerRegistered, Envelope, LoanDue


async def on_customer_registered(session: AsyncSession, envelope: Envelope, event: CustomerRegistered) -> None:
    book = await book_entry(session, event.customer_id) or CustomerBook(cif=event.customer_id)
    book.customer_ref, book.government_related = event.customer_ref, event.government_related
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


async def on_loan_due(session: AsyncSession, envelope: Envelope, event: LoanDue) -> None:
    owner = await book_entry(session, event.customer_id)
    task = loan_due_task(event, envelope.id, owner, await load_calendar(session), envelope.business_date, utcnow())
    await raise_task(session, task, business_date=envelope.business_date, now=utcnow())


HANDLERS = {
    "customer.registered": on_customer_registered,
    "customer.assigned": on_customer_assigned,
    "loan.due": on_loan_due,
}

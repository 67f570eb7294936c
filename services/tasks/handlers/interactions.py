"""interaction.logged → the customer's last contact (what the maintenance plans list) and the contact
task it fulfils: one logged contact counts for every plan the customer is in, so it completes the
customer's open maintenance contact, with the interaction linked."""
from datetime import date

from sqlalchemy import Table, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.handlers.rm_day import on_interactions as day_interactions
from services.tasks.models import CustomerBook
from services.tasks.service.task_set import TaskSet
from shared.clock import utcnow
from shared.handlers import Item, batched
from shared.logging import request_id_var

CONTACT = "maintenance_visit"
BOOK: Table = CustomerBook.__table__  # type: ignore[attr-defined]


@batched
async def on_interactions(session: AsyncSession, items: list[Item]) -> None:
    """A logged contact counts for every maintenance plan the customer is in, and for the RM's day."""
    await contacts_made(session, items)
    await day_interactions(session, items)


async def contacts_made(session: AsyncSession, items: list[Item]) -> None:
    last: dict[str, date] = {}
    for item in items:
        cif, day = item.data.customer_id, item.data.occurred_on
        last[cif] = max(day, last.get(cif, day))
    for cif in sorted(last):   # sorted: one lock order for all writers
        await session.execute(update(BOOK).where(BOOK.c.cif == cif, (BOOK.c.last_contact_on.is_(None))
                                                 | (BOOK.c.last_contact_on < last[cif]))
                              .values(last_contact_on=last[cif]))
    tasks = await TaskSet.of_customers(session, set(last), ())
    for item in items:
        request_id_var.set(item.request_id)
        event = item.data
        for task in tasks.open_of_customer(event.customer_id):
            if task.rule == CONTACT and task.anchor_date <= event.occurred_on:
                tasks.complete(task, "contacted", business_date=item.envelope.business_date, now=utcnow(),
                               interaction=event.interaction_id)
    await tasks.write()

"""The customer's name beside a task, read from the customer book (customer.registered carries it).

Names are shown unmasked, as in the customer service: domain.md masks national IDs and phones."""
from sqlmodel import select

from services.tasks.models import CustomerBook, Task


def with_names(stmt):
    """`select(Task)` → rows of (task, customer name or None)."""
    return stmt.add_columns(CustomerBook.name).outerjoin(CustomerBook, CustomerBook.cif == Task.cif)


async def name_of(session, cif: str | None) -> str | None:
    if cif is None:
        return None
    return (await session.exec(select(CustomerBook.name).where(CustomerBook.cif == cif))).first()


async def names_of(session, cifs) -> dict[str, str | None]:
    """Several customers' names in one read (a day plan's tasks)."""
    wanted = {c for c in cifs if c}
    if not wanted:
        return {}
    rows = await session.exec(select(CustomerBook.cif, CustomerBook.name).where(CustomerBook.cif.in_(wanted)))
    return dict(rows.all())

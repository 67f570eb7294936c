"""Names beside codes in answers: the customer's name beside a CIF and a member of staff's display name
beside a username, looked up once for a whole page of rows (set-based, one query each)."""
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Customer, Staff


async def customer_names(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.exec(select(Customer.id, Customer.name).where(col(Customer.id).in_(wanted)))
    return dict(rows.all())


async def staff_names(session: AsyncSession, usernames: Iterable[str | None]) -> dict[str, str]:
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    rows = await session.exec(select(Staff.username, Staff.display_name).where(col(Staff.username).in_(wanted)))
    return dict(rows.all())


M = TypeVar("M", bound=BaseModel)


async def with_names(session: AsyncSession, rows: Sequence[Any], model: type[M]) -> list[M]:
    """`rows` as `model`, with each `…_name` field the model declares filled: `customer_name` from the
    row's customer_id, any other `<field>_name` with the display name of the staff username in <field>."""
    declared = [f for f in model.model_fields if f.endswith("_name")]
    staff_fields = [f.removesuffix("_name") for f in declared if f != "customer_name"]
    customers = (await customer_names(session, (r.customer_id for r in rows))
                 if "customer_name" in declared else {})
    staff = await staff_names(session, (getattr(r, f) for r in rows for f in staff_fields))
    shown = []
    for row in rows:
        names: dict[str, str | None] = {f"{f}_name": staff.get(getattr(row, f)) for f in staff_fields}
        if "customer_name" in declared:
            names["customer_name"] = customers.get(row.customer_id)
        shown.append(model.model_validate(row, from_attributes=True).model_copy(update=names))
    return shown

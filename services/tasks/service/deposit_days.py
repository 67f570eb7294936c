"""The deposit_day projection: each account's flows on each business day (the "in a day" of the
large-outflow rule), read and written a run at a time."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import DepositDay
from services.tasks.service.task_set import chunks
from shared.bulk import put_rows
from shared.db import one_of


@dataclass
class Flows:
    """One account-day's flows: as stored before the run (`stored`) and as the run leaves them."""
    cif: str
    opening_balance: Decimal
    outflow: Decimal
    inflow: Decimal
    stored: tuple[Decimal, Decimal] | None = None   # (outflow, inflow) in the table; None: a new row


async def load_flows(session: AsyncSession, keys: set[tuple[str, date]]) -> dict[tuple[str, date], Flows]:
    flows: dict[tuple[str, date], Flows] = {}
    days = sorted({day for _, day in keys})
    for part in chunks(account for account, _ in keys):
        # plain columns, not entities: the run writes the rows back itself, in one upsert
        rows = (await session.execute(select(DepositDay.account_id, DepositDay.day, DepositDay.cif,
                                             DepositDay.opening_balance, DepositDay.outflow, DepositDay.inflow)
                                      .where(one_of(session, DepositDay.account_id, part),
                                             DepositDay.day.in_(days)))).all()
        for account, day, cif, opening, outflow, inflow in rows:
            if (account, day) in keys:
                flows[(account, day)] = Flows(cif, opening, outflow, inflow, (outflow, inflow))
    return flows


async def save_flows(session: AsyncSession, flows: dict[tuple[str, date], Flows]) -> None:
    """New days inserted, known days increased by what the run added (an increment, so a row is
    never written back from a stale read)."""
    rows = []
    for (account, day), f in flows.items():
        stored_out, stored_in = f.stored or (0, 0)
        rows.append({"account_id": account, "day": day, "cif": f.cif, "opening_balance": f.opening_balance,
                     "outflow": f.outflow - stored_out, "inflow": f.inflow - stored_in})
    await put_rows(session, DepositDay, rows, ("account_id", "day"), add=("outflow", "inflow"))

"""staff.changed → the staff book: who leads a team (escalation), who is a unit's risk manager (copies
of overdue collections), an evaluator's team and unit. A run keeps each person's last word, written in
one upsert."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.tasks.models import StaffEntry
from shared.bulk import put_rows
from shared.events import StaffChanged
from shared.handlers import Item, batched

COLUMNS = ("roles", "unit_path", "team", "active")


@batched
async def on_staff_changes(session: AsyncSession, items: list[Item[StaffChanged]]) -> None:
    latest = {i.data.username: {"username": i.data.username, "roles": list(i.data.roles),
                                "unit_path": i.data.unit_path, "team": i.data.team, "active": i.data.active}
              for i in items}   # in event order: the last change of a person wins
    await put_rows(session, StaffEntry, [latest[u] for u in sorted(latest)], ("username",), update=COLUMNS)

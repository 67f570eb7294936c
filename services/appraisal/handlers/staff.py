"""staff.changed: the staff projection (teams and units) that scope and rankings read.

A run: the ledger insert drops what was applied before; per person the last change in the run is
what holds; one upsert; each person's card stamp moves once per change."""
from collections import Counter

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.handlers.ledger import record_facts
from services.appraisal.models import StaffMember
from services.appraisal.service.freshness import bump_counts
from shared.bulk import put_rows
from shared.events import StaffChanged
from shared.handlers import Item, deduplicating

COLUMNS = ("display_name", "roles", "unit", "unit_path", "team", "active")


@deduplicating
async def on_staff_changed(session: AsyncSession, items: list[Item[StaffChanged]]) -> None:
    items = await record_facts(session, items)
    members = {i.data.username: {"username": i.data.username, "display_name": i.data.display_name,
                                 "roles": list(i.data.roles), "unit": i.data.unit, "unit_path": i.data.unit_path,
                                 "team": i.data.team, "active": i.data.active} for i in items}
    await put_rows(session, StaffMember, list(members.values()), ("username",), COLUMNS)
    await bump_counts(session, Counter(i.data.username for i in items))

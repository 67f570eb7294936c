"""customer.assigned: who owns a customer, per role (A岗 / B岗), as intervals.

A run is placed like balances: the ledger insert drops what was applied before; one read of the
touched (customer, role) intervals; each assignment placed in memory in run order (the day of a
transfer belongs to the new owner: an assignment counts from its business date; of two on one day the
later fact wins); one upsert; then the cards of every owner, old and new, of those customers move."""
from collections import Counter

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.handlers.ledger import record_facts
from services.appraisal.models import OwnershipInterval
from services.appraisal.service.freshness import bump_owners_of_many
from services.appraisal.service.timeline import load_timelines, write_timelines
from shared.events import CustomerAssigned
from shared.handlers import Item, deduplicating


@deduplicating
async def on_customer_assigned(session: AsyncSession, items: list[Item[CustomerAssigned]]) -> None:
    items = await record_facts(session, items)
    first_days: dict[tuple, int] = {}
    for item in items:
        key, day = (item.data.customer_id, item.data.role), item.envelope.business_date.toordinal()
        first_days[key] = min(day, first_days.get(key, day))
    timelines = await load_timelines(session, OwnershipInterval, first_days)
    for item in items:
        timelines[(item.data.customer_id, item.data.role)].place(
            item.envelope.business_date.toordinal(), {"owner": item.data.owner}, item.envelope.occurred_at,
            item.envelope.id)
    await write_timelines(session, OwnershipInterval, timelines)
    await bump_owners_of_many(session, Counter(item.data.customer_id for item in items))   # read after the write

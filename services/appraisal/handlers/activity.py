"""Deeds credited to a person: customer.won, interaction.logged, task.completed (rules.DEEDS).

A run: the ledger insert drops what was applied before; each new event's deed decided in memory
(rules.deed: who, which day, on time); one insert-or-skip of the deeds; each person's card stamp
moves once per deed credited to them."""
from collections import Counter

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.handlers.ledger import record_facts
from services.appraisal.models import ActivityFact
from services.appraisal.rules import DEEDS, deed
from services.appraisal.service.freshness import bump_counts
from shared.bulk import put_rows
from shared.handlers import Item, deduplicating

TYPES = tuple(DEEDS)


@deduplicating
async def on_deeds(session: AsyncSession, items: list[Item]) -> None:
    deeds = []
    for item in await record_facts(session, items):
        credited = deed(item.envelope.type, item.data, item.envelope.business_date)
        if credited is not None:   # nobody to credit: an unowned customer won, an unassigned task
            deeds.append({"event_id": item.envelope.id, **credited, "cif": item.data.customer_id})
    await put_rows(session, ActivityFact, deeds)
    await bump_counts(session, Counter(d["username"] for d in deeds))

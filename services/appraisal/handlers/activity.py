"""Deeds credited to a person: customer.won, interaction.logged, task.completed (rules.DEEDS).

A run: the ledger insert drops what was applied before; each new event's deed decided in memory
(rules.deed: who, which day, on time); one insert-or-skip of the deeds; each person's card stamp
moves once per deed credited to them. task.completed comes through handlers.tasks, which credits its
deeds here and also keeps the task record."""
from collections import Counter

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.handlers.ledger import record_facts
from services.appraisal.models import ActivityFact
from services.appraisal.rules import DEEDS, deed
from services.appraisal.service.freshness import bump_counts
from shared.bulk import put_rows
from shared.handlers import Item, deduplicating

TYPES = tuple(t for t in DEEDS if not t.startswith("task."))


async def credit_deeds(session: AsyncSession, items: list[Item]) -> None:
    """The deeds of events already new in the ledger (the others of the run are skipped)."""
    deeds = []
    for item in items:
        if item.envelope.type not in DEEDS:
            continue
        credited = deed(item.envelope.type, item.data, item.envelope.business_date)
        if credited is not None:   # nobody to credit: an unowned customer won, an unassigned task
            deeds.append({"event_id": item.envelope.id, **credited, "cif": item.data.customer_id})
    await put_rows(session, ActivityFact, deeds)
    await bump_counts(session, Counter(d["username"] for d in deeds))


@deduplicating
async def on_deeds(session: AsyncSession, items: list[Item]) -> None:
    await credit_deeds(session, await record_facts(session, items))

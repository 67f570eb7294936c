"""The ledger of every event the appraisal service consumes (the history recompute replays), and the
events of the customer and tasks topics kept there alone: registration and tier change.

Every handler's first statement is `record_facts`: one multi-row insert-or-skip whose key is also this
consumer's record of what it applied (the handlers are `deduplicating`), so a redelivered or re-sent
event stops there and goes no further."""
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import LedgerEvent
from shared.bulk import JsonText, put_rows
from shared.clock import utcnow
from shared.handlers import Item, deduplicating, first_of

KEPT_ONLY = ("customer.registered", "customer.tier-changed")


def ledger_row(item: Item, recorded_at: datetime) -> dict:
    envelope = item.envelope
    return {"event_id": envelope.id, "event_type": envelope.type, "subject": envelope.subject,
            "business_date": envelope.business_date, "occurred_at": envelope.occurred_at,
            "recorded_at": recorded_at, "payload": JsonText(item.data.model_dump_json())}


async def record_facts(session: AsyncSession, items: list[Item]) -> list[Item]:
    """Keep the run's events in the ledger; returns those new there, each id once, in run order."""
    now = utcnow()   # one arrival time for the run: put_rows then sends it once
    rows = [ledger_row(item, now) for item in items]
    return first_of(items, set(await put_rows(session, LedgerEvent, rows, returning="event_id")))


@deduplicating
async def keep_facts(session: AsyncSession, items: list[Item]) -> None:
    """Events kept for the ledger alone (recompute may need them one day): a run in one statement."""
    await record_facts(session, items)

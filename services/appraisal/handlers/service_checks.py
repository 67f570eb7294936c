"""complaint.resolved and callback.recorded (customer.events): what the customer side says about an RM.
A run keeps its events in the ledger, decides each new one's fact by rules.service_check (a complaint
counts only with the RM found responsible; a call-back only when the customer answered), inserts the
facts in one statement and moves each RM's card stamp once per fact."""
from collections import Counter

from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.handlers.ledger import record_facts
from services.appraisal.models import ServiceCheck
from services.appraisal.rules import SERVICE_CHECKS, service_check
from services.appraisal.service.freshness import bump_counts
from shared.bulk import put_rows
from shared.handlers import Item, deduplicating

TYPES = SERVICE_CHECKS


@deduplicating
async def on_service_checks(session: AsyncSession, items: list[Item]) -> None:
    checks = [{"event_id": item.envelope.id, **fact, "cif": item.data.customer_id}
              for item in await record_facts(session, items)
              if (fact := service_check(item.envelope.type, item.data, item.envelope.business_date)) is not None]
    await put_rows(session, ServiceCheck, checks)
    await bump_counts(session, Counter(c["username"] for c in checks))

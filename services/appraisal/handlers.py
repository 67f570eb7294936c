"""Events the appraisal service keeps: the raw facts its indicators are computed from."""
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import LedgerEvent
from shared.events import Envelope, EventData


async def record_fact(session: AsyncSession, envelope: Envelope, event: EventData) -> None:
    session.add(LedgerEvent(event_id=envelope.id, event_type=envelope.type, subject=envelope.subject,
                            business_date=envelope.business_date, payload=event.model_dump(mode="json")))


KEPT = ("loan.disbursed", "loan.due", "loan.repaid", "loan.overdue", "loan.classified", "deposit.opened",
        "deposit.changed", "deposit.closed", "customer.assigned", "task.created", "task.completed")
HANDLERS = {event_type: record_fact for event_type in KEPT}

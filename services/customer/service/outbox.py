"""Every event the customer service publishes goes out on the customer topic, staged in the caller's
transaction (the outbox), with the one SOURCE the envelopes name."""
from datetime import date, datetime

from shared.events import CUSTOMER_TOPIC, EventData
from shared.outbox import record_event

SOURCE = "customer-service"


def publish(session, event_type: str, data: EventData, *, subject: str, business_date: date, now: datetime) -> None:
    record_event(session, CUSTOMER_TOPIC, event_type, data, subject=subject, business_date=business_date,
                 source=SOURCE, now=now)

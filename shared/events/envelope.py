"""The envelope of docs/contract.md around every event, and the wire form of the events we publish."""
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt


class EventData(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, Field(min_length=1, max_length=128)]
    type: str
    version: StrictInt
    source: Annotated[str, Field(min_length=1)]
    occurred_at: AwareDatetime
    business_date: date
    subject: Annotated[str, Field(min_length=1, max_length=64)]
    data: dict[str, Any]
    request_id: str | None = None  # additive: lets one request be followed across services


def envelope_for(event_type: str, data: EventData, *, event_id: str, source: str, subject: str,
                 business_date: date, occurred_at: datetime, request_id: str | None = None) -> dict:
    """The wire form of one of our events (JSON-ready: Decimal and dates as strings)."""
    return {
        "id": event_id, "type": event_type, "version": 1, "source": source,
        "occurred_at": occurred_at.isoformat().replace("+00:00", "Z"),
        "business_date": business_date.isoformat(), "subject": subject,
        "data": data.model_dump(mode="json"), "request_id": request_id,
    }

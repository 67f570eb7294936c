"""Tables the appraisal service owns. The ledger keeps every fact it consumed, in business-date order,
because any past period must be recomputable from the event history alone."""
from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from shared.clock import utcnow


class LedgerEvent(SQLModel, table=True):
    __tablename__ = "ledger_event"
    event_id: str = Field(primary_key=True, max_length=128)
    event_type: str = Field(max_length=100)
    subject: str = Field(max_length=64, index=True)
    business_date: date = Field(index=True)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow)

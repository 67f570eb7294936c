"""What the customer service publishes about the RM's day: marketing results (登记每日营销业绩) as
registered and, once core banking or the lead confirms them, as confirmed (only those count)."""
from datetime import date
from typing import Literal

from shared.events.envelope import EventData
from shared.events.values import Balance, Cif


class MarketingResultRegistered(EventData):
    result_id: str
    customer_id: Cif
    customer_ref: str
    rm: str
    team: str | None
    category: str
    amount: Balance | None = None
    count: int | None = None
    result_date: date


class MarketingResultConfirmed(MarketingResultRegistered):
    confirmed_by: Literal["event", "lead"]
    confirmed_on: date
    evidence: str | None = None  # the confirming fact ("deposit.opened:<account id>"), or the lead's username

"""The bank's business date at the edge of the system (routes, CLIs); logic takes dates as parameters."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

BANK_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def business_today() -> date:
    return datetime.now(BANK_TZ).date()

"""The bank's business-day overrides as this service knows them (the business_day_override projection), loaded
for the business-day rule (rules.is_business_day takes them as an argument; it never reads them itself).

They change a few times a year and are read by every deadline computed, so each process keeps them for
CACHE_SECONDS; the consumer that applies a calendar.changed forgets them at once in its own process."""
import time
from datetime import date
from types import MappingProxyType

from sqlmodel import select

from services.customer.models import BusinessDayOverride
from services.customer.rules import Overrides

CACHE_SECONDS = 30.0   # how soon another process (the API after the consumer applied an edit) sees it
_CACHE: dict[str, tuple[float, Overrides]] = {}


async def calendar_overrides(session) -> Overrides:
    """Day -> business day or not, for every day the bank has a word on (a removed override is not one)."""
    key = str(session.get_bind().url)
    hit = _CACHE.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    overrides: Overrides = MappingProxyType(await stored_overrides(session))
    _CACHE[key] = (time.monotonic() + CACHE_SECONDS, overrides)
    return overrides


async def stored_overrides(session) -> dict[date, bool]:
    """The overrides as stored now, past the cache (what the consumer compares before and after a change)."""
    rows = (await session.execute(select(BusinessDayOverride.day, BusinessDayOverride.business_day)
                                  .where(BusinessDayOverride.business_day.is_not(None)))).all()
    return {day: business for day, business in rows}


def forget_calendar_overrides() -> None:
    _CACHE.clear()

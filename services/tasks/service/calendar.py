"""The bank's business-day calendar: China's public holidays and 调休 working days, then the bank's overrides;
and the announcement of an override's change (calendar.changed), which the customer service's deadlines follow."""
import time
from datetime import date, datetime, timedelta

import holidays
from sqlmodel import select

from services.tasks.models import CalendarOverride
from services.tasks.service.task_events import SOURCE
from shared.events import TASKS_TOPIC, CalendarChanged
from shared.outbox import record_event


class BusinessCalendar:
    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = overrides or {}
        self._china = holidays.China()  # expands years lazily as dates are asked about

    def is_business_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return self._china.is_working_day(day)  # weekends off, holidays off, 调休 Saturdays on

    def on_or_before(self, day: date) -> date:
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day` (n ≥ 1): "due in 3 business days"."""
        while n > 0:
            day += timedelta(days=1)
            n -= self.is_business_day(day)
        return day


_CACHE: dict[str, tuple[float, BusinessCalendar]] = {}
CACHE_SECONDS = 30.0   # how soon another process (the consumer) sees an admin's calendar edit


async def load_calendar(session) -> BusinessCalendar:
    """The calendar with the bank's rows (~1,100 for 2025–2027). Loading them for every event cost
    more than the rest of the event's work, so each process keeps them for CACHE_SECONDS; an edit made
    through this process clears the cache at once (forget_calendar)."""
    key = str(session.get_bind().url)
    hit = _CACHE.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    rows = (await session.execute(select(CalendarOverride.day, CalendarOverride.business_day))).all()
    calendar = BusinessCalendar({day: business for day, business in rows})
    _CACHE[key] = (time.monotonic() + CACHE_SECONDS, calendar)
    return calendar


def forget_calendar() -> None:
    _CACHE.clear()


def announce_calendar_change(session, day: date, business_day: bool | None, reason: str | None, *,
                             business_date: date, now: datetime) -> None:
    """Stage calendar.changed in the caller's transaction (business_day None: the override removed). Keyed
    by the day, so the changes of one day reach every consumer in the order they were made."""
    record_event(session, TASKS_TOPIC, "calendar.changed",
                 CalendarChanged(day=day, business_day=business_day, reason=reason),
                 subject=day.isoformat(), business_date=business_date, source=SOURCE, now=now)

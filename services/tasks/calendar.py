"""The bank's business-day calendar: China's public holidays and 调休 working days, then the bank's overrides."""
from datetime import date, timedelta

import holidays
from sqlmodel import select

from services.tasks.models import CalendarOverride


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


async def load_calendar(session) -> BusinessCalendar:
    rows = (await session.exec(select(CalendarOverride))).all()
    return BusinessCalendar({r.day: r.business_day for r in rows})

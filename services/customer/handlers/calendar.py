"""calendar.changed (tasks service): the business_day_override projection the business-day rule reads, so a
day the bank declares closed (or open) moves credit deadlines, complaint limits and the late-entry window
here as it moves the tasks' due dates there; deadlines already running across the day move with it."""
from datetime import datetime, timezone

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import BusinessDayOverride
from services.customer.service.calendar import forget_calendar_overrides, stored_overrides
from services.customer.service.deadlines import move_running_deadlines
from shared.bulk import put_rows
from shared.events import CalendarChanged
from shared.handlers import Item, batched


@batched
async def on_calendar_changed(session: AsyncSession, items: list[Item[CalendarChanged]]) -> None:
    """The latest change of each day wins, by when it was made: a redelivered or late older change of a
    day leaves a newer one standing (a removal is kept as a row without a word, for the same reason)."""
    latest: dict = {}
    for item in items:   # one day's changes come in the order they were made (keyed by the day)
        held = latest.get(item.data.day)
        if held is None or held.envelope.occurred_at <= item.envelope.occurred_at:
            latest[item.data.day] = item
    stored = dict((await session.execute(select(BusinessDayOverride.day, BusinessDayOverride.changed_at)
                                         .where(BusinessDayOverride.day.in_(latest)))).all())
    rows = [{"day": day, "business_day": i.data.business_day, "reason": i.data.reason,
             "changed_at": i.envelope.occurred_at} for day, i in latest.items()
            if day not in stored or _aware(stored[day]) <= i.envelope.occurred_at]
    before = await stored_overrides(session)
    await put_rows(session, BusinessDayOverride, rows, conflict=("day",),
                   update=("business_day", "reason", "changed_at"))
    after = {**before, **{r["day"]: r["business_day"] for r in rows}}
    await move_running_deadlines(session, {r["day"] for r in rows}, before,
                                 {day: word for day, word in after.items() if word is not None})
    forget_calendar_overrides()


def _aware(moment: datetime) -> datetime:
    """A stored moment as UTC-aware (SQLite hands it back naive)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


CALENDAR_HANDLERS = {"calendar.changed": on_calendar_changed}

"""`python -m services.tasks.cli.scheduler [--once] [--date YYYY-MM-DD]`: the tasks service's scheduler,
a process of its own. It wakes every `scheduler_poll_seconds`, generates every business date not yet
done up to today (Beijing time) and escalates late tasks; the outbox relay of the API publishes.

run_schedules works day by day from the bookmark to `through`, one commit per day (tasks + bookmark
together): running it twice is a no-op, and after an outage it makes the days it missed, once each."""
import argparse
import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.tasks.config import Settings
from services.tasks.models import SchedulerBookmark
from services.tasks.service.escalation import escalate_overdue
from services.tasks.service.schedules import Skipped, generate_day
from shared.clock import business_today, utcnow
from shared.db import make_engine, make_session_factory
from shared.health import health_listener
from shared.logging import configure_logging

log = logging.getLogger("scheduler")
JOB = "daily"


@dataclass
class ScheduleRun:
    days: list[date] = field(default_factory=list)        # the days generated, in order
    skipped: list[Skipped] = field(default_factory=list)  # subjects a step could not decide for
    escalated: int = 0


async def run_schedules(sessions, through: date) -> ScheduleRun:
    """Generate every day after the bookmark up to `through`, then escalate as of `through`."""
    async with sessions() as session:
        mark = await session.get(SchedulerBookmark, JOB)
    day, run = (mark.last_day + timedelta(days=1) if mark else through), ScheduleRun()
    while day <= through:
        async with sessions() as session:
            plan = await generate_day(session, day)
            mark = await session.get(SchedulerBookmark, JOB) or SchedulerBookmark(job=JOB, last_day=day)
            mark.last_day = day
            session.add(mark)
            await session.commit()
        run.days.append(day)
        run.skipped += plan.skipped
        day += timedelta(days=1)
    async with sessions() as session:  # escalation looks at today only: its level counts the days itself
        run.escalated = await escalate_overdue(session, through, utcnow())
        await session.commit()
    return run


async def main(once: bool, day: date | None) -> None:
    settings = Settings()
    configure_logging("tasks-scheduler", settings.log_level)
    engine = make_engine(settings.database_url, pool_size=2)
    sessions = make_session_factory(engine)
    try:
        async with health_listener(settings, engine):
            while True:
                try:
                    run = await run_schedules(sessions, day or business_today())
                    if run.days:
                        log.info("scheduled days %s … %s; %d subjects skipped; %d tasks escalated",
                                 run.days[0], run.days[-1], len(run.skipped), run.escalated)
                except Exception:  # noqa: BLE001 - a bad run is logged and retried next tick, never fatal
                    log.exception("scheduler run failed")
                if once:
                    return
                await asyncio.sleep(settings.scheduler_poll_seconds)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="run once and exit (cron style)")
    parser.add_argument("--date", type=date.fromisoformat, help="business date to run through (default today)")
    args = parser.parse_args()
    asyncio.run(main(args.once, args.date))

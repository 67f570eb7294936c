"""`python -m services.tasks.scheduler [--once] [--date YYYY-MM-DD]`: the tasks service's scheduler,
a process of its own. It wakes every `scheduler_poll_seconds`, generates every business date not yet
done up to today (Beijing time) and escalates late tasks; the outbox relay of the API publishes."""
import argparse
import asyncio
import logging
from datetime import date

from services.tasks.config import Settings
from services.tasks.schedules import run_schedules
from shared.clock import business_today
from shared.db import make_engine, make_session_factory
from shared.logging import configure_logging

log = logging.getLogger("scheduler")


async def main(once: bool, day: date | None) -> None:
    settings = Settings()
    configure_logging("tasks-scheduler", settings.log_level)
    engine = make_engine(settings.database_url, pool_size=2)
    sessions = make_session_factory(engine)
    try:
        while True:
            try:
                done = await run_schedules(sessions, day or business_today())
                if done:
                    log.info("scheduled days %s … %s", done[0], done[-1])
            except Exception:  # noqa: BLE001 - a bad run is logged and retried next tick, never fatal
                log.exception("scheduler run failed")
            if once:
                return
            await asyncio.sleep(settings.scheduler_poll_seconds)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--once", action="store_true", help="run once and exit (cron style)")
    parser.add_argument("--date", type=date.fromisoformat, help="business date to run through (default today)")
    args = parser.parse_args()
    asyncio.run(main(args.once, args.date))

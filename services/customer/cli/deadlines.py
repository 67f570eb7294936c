"""Daily run of the controls' deadlines (service/deadlines.py): `python -m services.customer.cli.deadlines
[YYYY-MM-DD]` — the business date defaults to today's."""
import asyncio
import sys
from datetime import date

from services.customer.config import Settings
from services.customer.service.deadlines import escalate_late
from shared.clock import business_today, utcnow
from shared.db import make_engine, make_session_factory


async def main(today: date) -> None:
    engine = make_engine(Settings().database_url)
    async with make_session_factory(engine)() as session:
        raised = await escalate_late(session, today, utcnow())
        await session.commit()
    await engine.dispose()
    print(f"{raised} late credit files and complaints escalated for {today}")


if __name__ == "__main__":
    asyncio.run(main(date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else business_today()))

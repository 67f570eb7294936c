"""Monthly draw of independent call-backs (service/callbacks.py): `python -m services.customer.cli.callbacks
[YYYY-MM]` — the month defaults to the current business month; a re-run draws nobody twice."""
import asyncio
import sys
from datetime import date

from services.customer.config import Settings
from services.customer.service.callbacks import draw_callbacks
from shared.clock import business_today, utcnow
from shared.db import make_engine, make_session_factory


async def main(month: date) -> None:
    settings = Settings()
    engine = make_engine(settings.database_url)
    async with make_session_factory(engine)() as session:
        drawn = await draw_callbacks(session, settings.control_rules(), month, business_date=business_today(),
                                     now=utcnow())
        await session.commit()
    await engine.dispose()
    print(f"{len(drawn)} customers drawn for call-backs in {month:%Y-%m}")


if __name__ == "__main__":
    asyncio.run(main(date.fromisoformat(sys.argv[1] + "-01") if len(sys.argv) > 1 else business_today()))

"""`python -m services.appraisal.cli.close_period YYYY-MM --by USERNAME`: close a month as a batch job.

The HTTP route does the same for a branch-sized book; a bank-wide close takes longer than the
gateway's 4 s budget for a phone, so operations run it here (and the benchmark times this path)."""
import argparse
import asyncio
import time
import uuid

from services.appraisal.config import Settings
from services.appraisal.service.period_close import close_period
from shared.auth import Principal
from shared.clock import business_today
from shared.db import make_engine, make_session_factory


async def close_month(database_url: str, period: str, by: str) -> float:
    """Close `period` acting as `by` (an admin); returns the seconds it took."""
    engine = make_engine(database_url)
    actor = Principal(username=by, user_id=str(uuid.uuid5(uuid.NAMESPACE_DNS, by)), roles=("admin",), unit="HQ",
                      unit_path="HQ", team=None)
    try:
        started = time.perf_counter()
        async with make_session_factory(engine)() as session:
            await close_period(session, actor, period, business_today())
            await session.commit()
        return time.perf_counter() - started
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("period")
    parser.add_argument("--by", required=True, help="username of the admin closing the period (audited)")
    args = parser.parse_args()
    seconds = asyncio.run(close_month(Settings().database_url, args.period, args.by))
    print(f"closed {args.period} in {seconds:.1f}s")

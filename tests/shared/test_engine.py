"""Engines: batch work (consumers) plans every statement with its values; the API keeps PostgreSQL's cache."""
import pytest
from sqlalchemy import text

from shared.db import make_engine


@pytest.mark.parametrize("custom_plans, mode", [(True, "force_custom_plan"), (False, "auto")])
async def test_consumer_engines_plan_each_batch_with_its_own_values(pg_server, custom_plans, mode):
    if not pg_server:
        pytest.skip("plan_cache_mode is a PostgreSQL setting")
    engine = make_engine(pg_server, custom_plans=custom_plans)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SHOW plan_cache_mode"))).scalar() == mode
    finally:
        await engine.dispose()

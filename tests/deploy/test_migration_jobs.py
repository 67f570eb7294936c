"""Migration Jobs may run twice at once (a re-applied release beside a slow Job, a retried pod): two
upgrade processes started together on one empty database must both succeed and leave it at head."""
import asyncio
import sys

import asyncpg
import pytest

from tests.conftest import RUN_ID
from tests.deploy.rendered import ROOT


@pytest.mark.parametrize("service", ["tasks", "customer"])
async def test_two_migration_processes_started_together_both_succeed(pg_server, service):
    if not pg_server:
        pytest.skip("needs PostgreSQL: SQLite serves one process, so no two migrations meet")
    name = f"t_{RUN_ID}_migrate_twice_{service}"
    admin = await asyncpg.connect(pg_server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://{pg_server.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
    code = ("from shared.migrations import upgrade_to_head; "
            f"upgrade_to_head({str(ROOT / 'services' / service / 'alembic')!r}, {url!r})")
    try:
        # separate processes, as two Jobs are (alembic's context is process-global, so threads would not do)
        runs = [await asyncio.create_subprocess_exec(sys.executable, "-c", code, cwd=ROOT,
                                                     stderr=asyncio.subprocess.PIPE) for _ in range(2)]
        results = await asyncio.wait_for(asyncio.gather(*(run.communicate() for run in runs)), 120)
        for run, (_, err) in zip(runs, results, strict=True):
            assert run.returncode == 0, err.decode()[-2000:]
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM alembic_version") == 1
            assert await conn.fetchval("SELECT to_regclass('outbox') IS NOT NULL")
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

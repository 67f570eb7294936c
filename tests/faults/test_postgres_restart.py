"""PostgreSQL restarted in the middle of a stream: consumers (and the outbox relays) retry until it is
back, nothing is skipped, and the final state equals a clean run. Restarts the machine's shared
PostgreSQL cluster, so it waits until no other test or benchmark run is using it (make test-faults only)."""
import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import stack_from_async
from tests.faults.conftest import other_test_runs, processed, snapshot
from tests.support import wait_for
from tools.devstack import CONSUMERS
from tools.simulator import generate, publish
from tools.watch import caught_up

pytestmark = [pytest.mark.e2e, pytest.mark.faults]


def cluster() -> list[str]:
    """pg_ctlcluster's version and name of the local cluster, or [] when there is none to restart."""
    versions = sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").is_dir() else []
    return [versions[-1].parent.name, "main"] if versions and shutil.which("pg_ctlcluster") else []


async def alone():
    return not other_test_runs()


@pytest.mark.parametrize("customers, events, timeout", [(200, 2000, 300)])
async def test_postgres_restart_mid_stream_skips_nothing(pg_server, tmp_path_factory, clean_runs, customers, events,
                                                         timeout, record_property):
    if not pg_server or not cluster():
        pytest.skip("needs the local PostgreSQL cluster (pg_ctlcluster) to restart")
    await wait_for(alone, timeout=3600, what=f"other test runs to end: {other_test_runs()}")
    clean, clean_processed = await clean_runs(customers, events, timeout)
    async with stack_from_async("postgres", pg_server, tmp_path_factory.mktemp("pgrestart"), "pgrestart") as stack:
        sending = asyncio.create_task(publish(stack.kafka, generate(customers, events), rate=events / 6))
        third = clean_processed["customer"] // 3
        await wait_for(lambda: _reached(stack, third), timeout=timeout, what=f"customer at {third} events")
        # Counted just before the restart, not after it: once PostgreSQL is back, the consumers may finish
        # the rest of the stream before a count after the restart opens its connection.
        before_restart = {s: await processed(stack, s) for s in CONSUMERS}
        still_sending = not sending.done()
        await asyncio.to_thread(subprocess.run, ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster(), "restart"],
                                check=True)
        await sending
        await caught_up(stack, timeout=timeout)
        assert await snapshot(stack) == clean
    # the restart hit work still to do: events not yet applied, and more still being published
    assert still_sending and any(before_restart[s] < clean_processed[s] for s in CONSUMERS), before_restart
    record_property("events", events)
    record_property("applied_before_restart", before_restart)
    record_property("tasks", len(clean["tasks"]))


async def _reached(stack, count):
    return await processed(stack, "customer") >= count

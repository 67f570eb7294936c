"""Every effect exactly once: consumers killed with SIGKILL mid-stream, every event sent twice and 1 %
garbage — the final state of every service equals a clean run of the same stream.

The short version runs in `make test`; the 50,000-event version is `make test-faults`."""
import asyncio
import signal
from collections import Counter
from decimal import Decimal

import pytest

from tests.e2e.conftest import query, stack_from_async
from tests.faults.conftest import caught_up, dead_letters, garbage_payloads, snapshot
from tests.support import wait_for
from tools.devstack import CONSUMERS
from tools.simulator import expected_state, generate, publish

pytestmark = pytest.mark.e2e


async def clean_run(pg_server, tmp, customers, events) -> dict:
    async with stack_from_async("postgres" if pg_server else "sqlite", pg_server, tmp, "clean") as stack:
        await publish(stack.kafka, generate(customers, events))
        await caught_up(stack)
        return await snapshot(stack)


async def faulty_run(pg_server, tmp, customers, events, garbage_every) -> tuple[dict, dict]:
    async with stack_from_async("postgres" if pg_server else "sqlite", pg_server, tmp, "faulty") as stack:
        sending = asyncio.create_task(publish(stack.kafka, generate(customers, events), rate=events / 6,
                                              duplicate_every=1, garbage_every=garbage_every))
        for service in CONSUMERS:  # kill -9 each consumer while the stream is flowing, then restart it
            await wait_for(lambda: _progressed(stack, service), timeout=30, what=f"{service} to make progress")
            stack.stop(f"{service}-consumer", sig=signal.SIGKILL)
            stack.start_consumer(service)
        await sending
        await caught_up(stack)
        return await snapshot(stack), await dead_letters(stack)


async def _progressed(stack, service):
    rows = await query(stack, service, "SELECT count(*) FROM processed_event")
    return rows[0][0] > 3  # the tasks consumer only keeps loan.due, a few per hundred events


@pytest.mark.parametrize("customers, events", [(200, 2000)])
async def test_killed_consumers_duplicates_and_garbage_leave_the_state_of_a_clean_run(
        pg_server, tmp_path_factory, customers, events):
    garbage_every = 100  # 1 %
    clean = await clean_run(pg_server, tmp_path_factory.mktemp("clean"), customers, events)
    faulty, dlq = await faulty_run(pg_server, tmp_path_factory.mktemp("faulty"), customers, events, garbage_every)
    assert len(clean["ledger"]) == events          # the clean run itself saw every event once
    assert any(t[0] == "loan_due" for t in clean["tasks"]) and clean["derived_events"]
    final = expected_state(customers, events)["balances"]  # the simulator's own account of the balances
    assert {d[0]: Decimal(d[3]) for d in clean["deposits"] if d[0] in final} == final
    for part in clean:  # name what differs, not just that something does
        extra, missing = Counter(faulty[part]) - Counter(clean[part]), Counter(clean[part]) - Counter(faulty[part])
        assert not extra and not missing, f"{part}: extra {sorted(extra)[:5]}, missing {sorted(missing)[:5]}"
    assert faulty.keys() == clean.keys()
    garbage = garbage_payloads(events, garbage_every)
    for service in CONSUMERS:
        assert {payload for payload, _ in dlq[service]} == garbage, service
        assert {reason for _, reason in dlq[service]} == {"not valid JSON"}

"""Every effect exactly once: consumers killed with SIGKILL mid-stream, every event sent twice and 1 %
garbage — the final state of every service equals a clean run of the same stream.

The short version runs in `make test`; the 50,000-event version is `make test-faults`."""
import asyncio
import signal
from collections import Counter
from decimal import Decimal
from functools import partial

import pytest

from tests.e2e.conftest import stack_from_async
from tests.faults.conftest import backend, garbage_payloads, processed, snapshot
from tests.support import wait_for
from tools.devstack import CONSUMERS
from tools.simulator import expected_state, generate, publish
from tools.watch import caught_up, dead_letters

pytestmark = pytest.mark.e2e

SIZES = [  # (customers, events, seconds allowed to settle): ~65 events/s per consumer on this 2-core machine
         pytest.param(200, 2000, 120, id="2k"),
         pytest.param(5000, 50000, 3000, id="50k", marks=pytest.mark.faults)]


async def faulty_run(pg_server, tmp, customers, events, garbage_every, clean_processed, timeout):
    """Returns (snapshot, dead letters, {service: events it had applied when killed})."""
    async with stack_from_async(backend(pg_server), pg_server, tmp, "faulty") as stack:
        sending = asyncio.create_task(publish(stack.kafka, generate(customers, events), rate=events / 6,
                                              duplicate_every=1, garbage_every=garbage_every))
        killed_at = {}
        for service in CONSUMERS:  # kill -9 each consumer a third of the way into its work, then restart it
            third = max(3, clean_processed[service] // 3)
            killed_at[service] = await wait_for(partial(_reached, stack, service, third), timeout=timeout,
                                                what=f"{service} to apply {third} events")
            stack.stop(f"{service}-consumer", sig=signal.SIGKILL)
            stack.start_consumer(service)
        await sending
        await caught_up(stack, timeout=timeout)
        return await snapshot(stack), await dead_letters(stack), killed_at


async def _reached(stack, service, count):
    done = await processed(stack, service)
    return done if done >= count else 0


@pytest.mark.parametrize("customers, events, timeout", SIZES)
async def test_killed_consumers_duplicates_and_garbage_leave_the_state_of_a_clean_run(
        pg_server, tmp_path_factory, clean_runs, customers, events, timeout, record_property):
    garbage_every = 100  # 1 %
    clean, clean_processed = await clean_runs(customers, events, timeout)
    faulty, dlq, killed_at = await faulty_run(pg_server, tmp_path_factory.mktemp("faulty"), customers, events,
                                              garbage_every, clean_processed, timeout)
    assert len(clean["ledger"]) == events          # the clean run itself saw every event once
    assert any(t[0] == "loan_due" for t in clean["tasks"]) and clean["derived_events"]
    final = expected_state(customers, events)["balances"]  # the simulator's own account of the balances
    assert {d[0]: Decimal(d[3]) for d in clean["deposits"] if d[0] in final} == final
    for service in CONSUMERS:  # each kill landed mid-run: work done before it and left after it
        assert 0 < killed_at[service] < clean_processed[service], (service, killed_at, clean_processed)
    for part in clean:  # name what differs, not just that something does
        extra, missing = Counter(faulty[part]) - Counter(clean[part]), Counter(clean[part]) - Counter(faulty[part])
        assert not extra and not missing, f"{part}: extra {sorted(extra)[:5]}, missing {sorted(missing)[:5]}"
    assert faulty.keys() == clean.keys()
    garbage = garbage_payloads(events, garbage_every)
    for service in CONSUMERS:
        assert {payload for payload, _ in dlq[service]} == garbage, service
        assert {reason for _, reason in dlq[service]} == {"not valid JSON"}
    for name, value in {"events": events, "sent (each twice)": 2 * events, "garbage": len(garbage),
                        "tasks": len(clean["tasks"]), "ledger": len(clean["ledger"]),
                        "balances": len(final), "killed_at": killed_at,
                        "dead_lettered": {s: len(dlq[s]) for s in CONSUMERS}}.items():
        record_property(name, value)

"""The broker frozen (SIGSTOP) while the API takes writes: every write answers 2xx because it only
commits to the service's own database and outbox; after SIGCONT every event arrives, none lost, none
doubled. 5 s in `make test`, 30 s in `make test-faults`.

A pause longer than the producer's request timeout (15 s) makes the relay resend a batch the frozen
broker still holds in its socket buffer, so the topic can carry the same event id twice (Tansu has no
idempotent producer). That is the at-least-once contract: the consumers' (consumer, event id) markers
make the second copy a no-op, which is what this test checks."""
import asyncio
import json
import os
import signal
import time
from collections import Counter

import pytest

from tests.e2e.conftest import Api, stack_from_async
from tests.faults.conftest import backend, processed
from tests.support import unique_cif, wait_for
from tools.watch import caught_up, query, records

pytestmark = pytest.mark.e2e

WRITERS = ("rm01", "lead01")
WRITES_PER_SECOND = 2


@pytest.mark.parametrize("pause_s", [pytest.param(5, id="5s"), pytest.param(30, id="30s", marks=pytest.mark.faults)])
async def test_writes_during_a_broker_pause_all_succeed_and_every_event_arrives_once(
        pg_server, tmp_path_factory, pause_s, record_property):
    async with stack_from_async(backend(pg_server), pg_server, tmp_path_factory.mktemp("pause"), "pause") as stack:
        api = Api(stack)
        for user in WRITERS:
            await api.headers(user)  # sign in first: tokens are not what this test is about
        broker = stack.procs["broker"].pid
        os.kill(broker, signal.SIGSTOP)
        answers, cifs = [], []
        try:
            started = time.monotonic()
            for n in range(pause_s * WRITES_PER_SECOND):
                cif = unique_cif()
                r = await api.call("POST", "/customers", WRITERS[n % 2],
                                   json={"cif": cif, "name": f"停机测试公司{n}", "kind": "corporate"})
                answers.append(r.status_code)
                cifs.append(cif)
                await asyncio.sleep(max(0.0, started + (n + 1) / WRITES_PER_SECOND - time.monotonic()))  # pacing
            paused_for = time.monotonic() - started
        finally:
            os.kill(broker, signal.SIGCONT)
        assert answers == [201] * len(cifs)
        assert paused_for >= pause_s

        async def projected():
            rows = await query(stack, "tasks", "SELECT cif FROM customer_book WHERE cif = ANY(:c)", c=cifs)
            return len(rows) == len(cifs)
        await wait_for(projected, timeout=120, what="every new customer in the tasks projection")
        await caught_up(stack, timeout=120)

        ours = [(r.key.decode(), json.loads(r.value)) for r in await records(stack, "customer.events")
                if r.key.decode() in cifs]  # the key of a customer's events is its CIF
        staged = await query(stack, "customer", "SELECT event_id, key, event_type FROM outbox WHERE key = ANY(:c) "
                                                "AND topic = 'customer.events'", c=cifs)
        assert {(cif, "customer.registered") for cif in cifs} <= {(k, t) for _, k, t in staged}
        assert {(e["id"], cif, e["type"]) for cif, e in ours} == set(map(tuple, staged))  # all of them, no other
        ids = [e["id"] for _, e in ours]
        for service in ("tasks", "appraisal"):  # and each consumer applied every one of them
            assert await processed(stack, service, ids) == len(set(ids)), service
        assigned = Counter(k for _, k, t in staged if t == "customer.assigned")
        owners = await query(stack, "appraisal", "SELECT cif FROM ownership_interval WHERE cif = ANY(:c)", c=cifs)
        assert Counter(r[0] for r in owners) == assigned  # one ownership interval per assignment: none doubled
    record_property("paused_s", round(paused_for, 1))
    record_property("writes (all 201)", len(answers))
    record_property("events (each applied once)", len(set(ids)))

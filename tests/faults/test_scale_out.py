"""Scale-out: two instances of each consumer in one group split the partitions; one is stopped
mid-run, the other takes its partitions over, and the final state equals a single-instance clean run."""
import asyncio
from functools import partial

import pytest

from tests.e2e.conftest import stack_from_async
from tests.faults.conftest import assignment, backend, processed, snapshot
from tests.faults.test_exactly_once import SIZES
from tests.support import wait_for
from tools.devstack import CONSUMERS
from tools.simulator import generate, publish
from tools.watch import caught_up, topics_of

pytestmark = pytest.mark.e2e

PARTITIONS = 6  # ServiceSettings.topic_partitions


def all_partitions(service: str) -> set[str]:
    return {f"{topic}:{n}" for topic in topics_of(service) for n in range(PARTITIONS)}


@pytest.mark.parametrize("customers, events, timeout", SIZES)
async def test_second_instances_split_the_partitions_and_take_over_when_one_stops(
        pg_server, tmp_path_factory, clean_runs, customers, events, timeout, record_property):
    clean, clean_processed = await clean_runs(customers, events, timeout)
    async with stack_from_async(backend(pg_server), pg_server, tmp_path_factory.mktemp("scale"), "scale") as stack:
        pairs = {service: (f"{service}-consumer", stack.start_consumer(service, instance="2")) for service in CONSUMERS}

        async def split(service):
            first, second = (assignment(stack, p) for p in pairs[service])
            return first and second and not first & second and first | second == all_partitions(service)
        for service in CONSUMERS:
            await wait_for(partial(split, service), timeout=60,
                           what=f"{service}'s two instances to split the partitions")

        sending = asyncio.create_task(publish(stack.kafka, generate(customers, events), rate=events / 6))
        for service in CONSUMERS:  # a third of the way into its work, one instance of each leaves the group
            third = max(3, clean_processed[service] // 3)
            await wait_for(partial(_reached, stack, service, third), timeout=timeout, what=f"{service} at {third}")
            stack.stop(pairs[service][0])
            survivor = pairs[service][1]
            await wait_for(partial(_holds_all, stack, survivor, service), timeout=60,
                           what=f"{survivor} to take over every partition")
        await sending
        await caught_up(stack, timeout=timeout)
        assert await snapshot(stack) == clean
    record_property("events", events)
    record_property("tasks", len(clean["tasks"]))
    record_property("ledger", len(clean["ledger"]))


async def _reached(stack, service, count):
    return await processed(stack, service) >= count


async def _holds_all(stack, process, service):
    return assignment(stack, process) == all_partitions(service)

"""Watching a running stack from outside, as a test or a benchmark does: what its databases hold, what
lies on a topic, how far each consumer group is behind, and waiting until all of it is quiet."""
import asyncio
import importlib
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text

from shared.db import make_engine
from shared.events import dlq_topic
from tools.devstack import CONSUMERS, Stack, entry_point

FAR_BEHIND = 10_000   # messages one group has still to commit


def topics_of(service: str) -> list[str]:
    """The topics `service`'s consumer subscribes to."""
    return importlib.import_module(entry_point(service, "consumer")).TOPICS


async def query(stack: Stack, service: str, sql: str, **params) -> list:
    """Rows of `sql` in `service`'s database."""
    engine = make_engine(stack.database_urls[service])
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


class Watch:
    """What caught_up() looks at, over connections held for the whole wait: a new database connection
    and Kafka client per look (every 0.2 s) would cost a benchmark the CPU it is measuring."""

    def __init__(self, stack: Stack, groups) -> None:
        self.groups = groups
        self.engines = {s: make_engine(u) for s, u in stack.database_urls.items() if s != "gateway"}
        self.kafka = AIOKafkaConsumer(bootstrap_servers=stack.kafka, enable_auto_commit=False)
        self.admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka)

    async def __aenter__(self) -> "Watch":
        await self.kafka.start()
        await self.admin.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.admin.close()
        await self.kafka.stop()
        for engine in self.engines.values():
            await engine.dispose()

    async def unpublished(self) -> int:
        total = 0
        for engine in self.engines.values():
            async with engine.connect() as conn:
                sql = text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                total += (await conn.execute(sql)).scalar() or 0
        return total

    def partitions(self, group: str) -> dict:
        return {t: self.kafka.partitions_for_topic(t) for t in topics_of(group)}

    async def lags(self) -> dict[str, int]:
        """Per group, the messages of its topics it has not committed yet."""
        lags = {}
        for group in self.groups:
            known = self.partitions(group)
            if not all(known.values()):  # a topic missing from cached metadata would count as 0 behind
                await self.kafka._client.force_metadata_update()
                known = self.partitions(group)
            if not all(known.values()):
                raise AssertionError(f"no metadata for {[t for t, p in known.items() if not p]}")
            tps = [TopicPartition(t, p) for t, parts in known.items() for p in parts]
            ends = await self.kafka.end_offsets(tps)
            committed = await self.admin.list_consumer_group_offsets(group, partitions=tps)
            done = {tp: max(0, meta.offset) for tp, meta in committed.items()}   # -1: nothing committed yet
            lags[group] = sum(max(0, ends[tp] - done.get(tp, 0)) for tp in tps)
        return lags


async def caught_up(stack: Stack, groups=CONSUMERS, timeout: float = 120.0) -> None:
    """Quiet: no outbox row waits to be published and no consumer group is behind — checked so that an
    event a consumer produced while we looked (a task.created from a deposit) is not missed."""
    deadline = time.monotonic() + timeout
    async with Watch(stack, groups) as watch:
        while True:
            state: object = "outbox rows waiting"
            behind = 0
            if not await watch.unpublished():
                lags = await watch.lags()
                state, behind = lags, max(lags.values(), default=0)   # the groups work side by side
                if not behind and not await watch.unpublished():
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"not caught up after {timeout}s: {state}")
            # Far behind (two seconds of a group's work at the ingest target), look once a second: each
            # look costs the machine CPU a benchmark is measuring. Otherwise five times a second.
            await asyncio.sleep(1.0 if behind > FAR_BEHIND else 0.2)


async def records(stack: Stack, topic: str) -> list:
    """Every record on `topic` (all partitions, from the start to the current end)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    found = []
    try:
        await consumer._client.force_metadata_update()
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning()
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                found.extend(batch)
    finally:
        await consumer.stop()
    return found


async def dead_letters(stack: Stack, topics=("corebanking.loans", "corebanking.deposits")) -> dict[str, set]:
    """consumer -> the distinct original payloads it dead-lettered (with reason)."""
    found: dict[str, set] = {}
    for topic in topics:
        for r in await records(stack, dlq_topic(topic)):
            h = dict(r.headers)
            found.setdefault(h["consumer"].decode(), set()).add((r.value, h["dlq-reason"].decode()))
    return found

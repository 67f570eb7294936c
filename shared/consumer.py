"""Idempotent batch consumer: validate → apply the handlers + record (consumer, event id) in one commit →
commit the offsets.

A re-delivered event finds its (consumer, event id) row and has no second effect (a deduplicating
handler keeps that record in its own table instead). An invalid message goes to <topic>.dlq with the
reason and its origin; a transient failure (database or broker away) is retried with backoff and never
skipped; a handler that keeps failing on one message sends it to the DLQ with the error rather than
blocking its partition forever.
"""
import asyncio
import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError

from shared.dedup import claim
from shared.dlq import DeadLetters
from shared.events import InvalidEvent, parse_event
from shared.handlers import Handler, Item, first_of, registered, runs
from shared.kafka import make_producer
from shared.logging import request_id_var
from shared.retry import Stopping, back_off, delay, is_permanent, is_transient
from shared.settings import ServiceSettings

log = logging.getLogger("consumer")
HANDLER_ATTEMPTS = 5


class AssignmentLog(ConsumerRebalanceListener):
    """Logs which partitions this instance holds after each rebalance: with several instances in one
    group, the logs show how the partitions were split (and who took over when one left)."""

    async def on_partitions_revoked(self, revoked) -> None:
        pass

    async def on_partitions_assigned(self, assigned) -> None:
        log.info("assigned partitions %s", ",".join(sorted(f"{tp.topic}:{tp.partition}" for tp in assigned)))


class EventConsumer:
    def __init__(self, *, name: str, topics: list[str], handlers: dict[str, Handler], settings: ServiceSettings,
                 session_factory) -> None:
        self.name, self.topics, self.handlers = name, topics, registered(handlers)
        self.settings, self.session_factory = settings, session_factory
        self.after_commit: list[Callable[[int], None]] = []   # called with the batch size after each commit
        self.stop = asyncio.Event()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = self.stop = stop or self.stop
        producer = make_producer(self.settings)
        self.dead_letters = DeadLetters(producer, self.name, stop)
        self.kafka = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap_servers,
                                      group_id=self.name, enable_auto_commit=False, auto_offset_reset="earliest",
                                      max_poll_records=self.settings.kafka_max_poll_records,
                                      session_timeout_ms=self.settings.kafka_session_timeout_ms,
                                      heartbeat_interval_ms=self.settings.kafka_heartbeat_interval_ms)
        self.kafka.subscribe(self.topics, listener=AssignmentLog())
        await producer.start()
        await self.kafka.start()
        log.info("consuming %s as group %s", self.topics, self.name)
        try:
            while not stop.is_set():
                batch = await self.kafka.getmany(timeout_ms=500)
                if not batch:
                    continue
                # The whole poll in one transaction and one offset commit: with a transaction and a
                # commit per partition, their count, not the events, sets the latency at a steady rate
                # over many partitions. Order within a partition (so per key) is kept;
                # partitions of one topic are put side by side so a handler gets one long run.
                parts = sorted(batch.items(), key=lambda part: part[0].topic)
                await self.process_records([record for _, records in parts for record in records])
                await self._commit_offsets({tp: records[-1].offset + 1 for tp, records in parts})
        except Stopping:
            log.info("stopped while retrying; the uncommitted batch is applied by the next owner")
        finally:
            await self.kafka.stop()
            await producer.stop()

    async def _commit_offsets(self, offsets: dict[TopicPartition, int]) -> None:
        try:
            await self.kafka.commit(offsets)
        except CommitFailedError:  # partitions moved in a rebalance: the new owner re-reads, dedup holds
            log.warning("offset commit for %s lost to a rebalance", ",".join(f"{tp.topic}:{tp.partition}"
                                                                          for tp in offsets))

    async def process_records(self, records: list) -> None:
        """One poll's records: all valid events in one transaction (the fast path); if the batch
        fails for a reason other than the world being away, fall back to one event at a time so a
        single poison message is dead-lettered alone."""
        items: list[Item] = []
        for record in records:
            try:
                envelope, data = parse_event(record.value)
            except InvalidEvent as err:
                await self.dead_letters.send(record, str(err))
                continue
            handler = self.handlers.get(envelope.type)
            if handler is not None:  # else: a valid event this service has no use for
                items.append(Item(record, handler, envelope, data))
        failures = 0
        while items:
            try:
                return await self.apply_batch(items)
            except Exception as err:  # noqa: BLE001 - sorted into transient / per-event below
                if not is_transient(err):
                    break
                failures += 1
                log.warning("batch of %d failed (%s: %s); retry in %.1fs", len(items), type(err).__name__, err,
                            delay(failures))
                await back_off(self.stop, delay(failures))
        for item in items:
            await self.process_one(item)

    async def process_one(self, item: Item) -> None:
        failures = 0
        while True:
            try:
                return await self.apply_batch([item])
            except InvalidEvent as err:
                return await self.dead_letters.send(item.record, str(err))
            except Exception as err:  # noqa: BLE001 - sorted into transient / poison below
                failures += 1
                if not is_transient(err) and (is_permanent(err) or failures >= HANDLER_ATTEMPTS):
                    log.exception("handler failed %d times; dead-lettering %s", failures, item.envelope.id)
                    return await self.dead_letters.send(item.record, f"handler error: {type(err).__name__}: {err}")
                log.warning("event %s failed (%s: %s); retry in %.1fs", item.envelope.id, type(err).__name__, err,
                            delay(failures))
                await back_off(self.stop, delay(failures))

    async def apply_batch(self, items: list[Item]) -> None:
        """Effects and (consumer, event id) markers of all items in one commit; a marker that already
        exists means a redelivery or duplicate, and its handler is skipped. Items of a deduplicating
        handler get no marker: the handler sorts out its own."""
        async with self.session_factory() as session:
            marked = [i for i in items if not i.handler.deduplicating]
            # an id not new was redelivered or duplicated: its effect is committed
            new = {id(i) for i in first_of(marked, await claim(session, self.name, [i.envelope.id for i in marked]))}
            for run in runs([i for i in items if i.handler.deduplicating or id(i) in new]):
                request_id_var.set(None)
                await run[0].handler(session, run)
                # Each handler must see the database as if it ran alone: objects a previous one loaded
                # may be stale after a bulk UPDATE, and batch boundaries differ between runs.
                await session.flush()
                session.expire_all()
            await session.commit()
        for hook in self.after_commit:
            hook(len(items))

    async def apply(self, handler: Handler, envelope, data) -> None:
        """Apply one event exactly as the consumer does (tests drive handlers through this)."""
        await self.apply_batch([Item(None, handler, envelope, data)])

    async def apply_many(self, handler: Handler, events: list) -> None:
        """Apply several events in one transaction as one polled batch would (tests of handlers)."""
        await self.apply_batch([Item(None, handler, envelope, data) for envelope, data in events])

"""Idempotent batch consumer: validate → handle + record (consumer, event id) in one commit → offset.

A re-delivered event finds its (consumer, event id) row and has no second effect (a handler marked
`deduplicating` keeps that record in its own table instead). An invalid message
goes to <topic>.dlq with the reason and its origin; a transient failure (database or broker away) is
retried with backoff and never skipped; a handler that keeps failing on one message sends it to the
DLQ with the error rather than blocking its partition forever.
"""
import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from sqlalchemy import exc as sa_exc
from sqlmodel import Field, SQLModel

from shared.bulk import put_rows
from shared.db import make_engine, make_session_factory
from shared.events import Envelope, EventData, InvalidEvent, dlq_topic, parse_event
from shared.kafka import ensure_topics, make_producer
from shared.logging import configure_logging, request_id_var
from shared.runtime import settle_gc
from shared.settings import ServiceSettings

log = logging.getLogger("consumer")
Handler = Callable[..., Awaitable[None]]  # (session, envelope, data) -> None; batched: (session, items) -> None
HANDLER_ATTEMPTS = 5


def batched(handler: Handler) -> Handler:
    """Marks a set-based handler: it takes (session, items: list[Item]) — a run of consecutive events
    of one poll that share this handler (one handler may serve several types, so a loans poll is one
    run; a run may span partitions, each partition's events in order) — and must leave the same state
    as applying them one by one. High-volume events (deposit.changed) pay a few statements per run
    instead of per event."""
    handler.batched = True
    return handler


def deduplicating(handler: Handler) -> Handler:
    """Marks a batched handler that keeps its own record of the event ids it applied (a unique key in
    a table it writes anyway, e.g. a ledger) and applies only those new there — first_of() the ids
    it inserted: the consumer writes no (consumer, event id) marker for its events, one index entry
    per event fewer."""
    handler.deduplicating = True
    return batched(handler)


def first_of(items: list["Item"], fresh: set[str]) -> list["Item"]:
    """The items whose id is in `fresh` (just recorded as new), each id once: the same message twice in
    one batch acts once."""
    fresh, new = set(fresh), []
    for item in items:
        if item.envelope.id in fresh:
            fresh.discard(item.envelope.id)
            new.append(item)
    return new


@dataclass(frozen=True)
class Item:
    record: object | None         # the Kafka record (None when a test applies an event directly)
    handler: Handler
    envelope: Envelope
    data: EventData

    @property
    def request_id(self) -> str | None:
        if self.envelope.request_id:
            return self.envelope.request_id
        for name, value in getattr(self.record, "headers", None) or ():   # read per event: no dict built
            if name == "x-request-id":
                return value.decode() or None
        return None


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"
    consumer: str = Field(primary_key=True, max_length=100)
    event_id: str = Field(primary_key=True, max_length=128)
    processed_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


def is_transient(err: BaseException) -> bool:
    """Failures of the world around us (retry forever), as opposed to failures of this message."""
    if isinstance(err, (OSError, asyncio.TimeoutError, sa_exc.OperationalError, sa_exc.InterfaceError,
                        sa_exc.TimeoutError, KafkaError)):
        return True
    if isinstance(err, sa_exc.DBAPIError):
        sqlstate = getattr(err.orig, "sqlstate", None) or ""
        return err.connection_invalidated or sqlstate[:2] in ("08", "40", "53", "57")
    return False


class Stopping(Exception):
    """Raised out of a retry wait when the process is asked to stop: the batch is left uncommitted
    (its offsets too), so the next owner of the partitions applies it."""


class AssignmentLog(ConsumerRebalanceListener):
    """Logs which partitions this instance holds after each rebalance: with several instances in one
    group, the logs show how the partitions were split (and who took over when one left)."""

    async def on_partitions_revoked(self, revoked) -> None:
        pass

    async def on_partitions_assigned(self, assigned) -> None:
        log.info("assigned partitions %s", ",".join(sorted(f"{tp.topic}:{tp.partition}" for tp in assigned)))


class EventConsumer:
    def __init__(self, *, name: str, topics: list[str], handlers: dict[str, Handler],
                 settings: ServiceSettings, session_factory, on_commit: Callable[[], None] | None = None):
        self.name, self.topics, self.handlers = name, topics, handlers
        self.settings, self.session_factory, self.on_commit = settings, session_factory, on_commit
        self.crash_after_db_commit = os.environ.get("FAULT_CRASH_AFTER_DB_COMMIT") == "1"
        self.stop = asyncio.Event()

    async def _back_off(self, seconds: float) -> None:
        """Wait before a retry, but not past a stop request: a consumer retrying against a database or
        broker that is away must still end on SIGTERM, not when the orchestrator loses patience."""
        try:
            await asyncio.wait_for(self.stop.wait(), seconds)
        except asyncio.TimeoutError:
            return
        raise Stopping

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = self.stop = stop or self.stop
        self.dlq = make_producer(self.settings)
        self.kafka = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap_servers,
                                      group_id=self.name, enable_auto_commit=False, auto_offset_reset="earliest",
                                      max_poll_records=self.settings.kafka_max_poll_records,
                                      session_timeout_ms=self.settings.kafka_session_timeout_ms,
                                      heartbeat_interval_ms=self.settings.kafka_heartbeat_interval_ms)
        self.kafka.subscribe(self.topics, listener=AssignmentLog())
        await self.dlq.start()
        await self.kafka.start()
        log.info("consuming %s as group %s", self.topics, self.name)
        try:
            while not stop.is_set():
                batch = await self.kafka.getmany(timeout_ms=500)
                if not batch:
                    continue
                # The whole poll in one transaction and one offset commit: per partition, a steady
                # 1,000 events/s over 24 partitions paid 24 transactions and commits a poll (~25 ms
                # each, whatever their size), and that, not the events, set the latency. Order within
                # a partition (so per key) is kept; partitions of one topic are put side by side so a
                # set-based handler gets one long run.
                parts = sorted(batch.items(), key=lambda part: part[0].topic)
                await self.process_records([record for _, records in parts for record in records])
                await self._commit_offsets({tp: records[-1].offset + 1 for tp, records in parts})
        except Stopping:
            log.info("stopped while retrying; the uncommitted batch is applied by the next owner")
        finally:
            await self.kafka.stop()
            await self.dlq.stop()

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
                await self.dead_letter(record, str(err))
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
                delay = min(0.1 * 2 ** failures, 5.0)
                log.warning("batch of %d failed (%s: %s); retry in %.1fs", len(items), type(err).__name__, err, delay)
                await self._back_off(delay)
        for item in items:
            await self.process_one(item)

    async def process_one(self, item: "Item") -> None:
        failures = 0
        while True:
            try:
                return await self.apply_batch([item])
            except InvalidEvent as err:
                return await self.dead_letter(item.record, str(err))
            except Exception as err:  # noqa: BLE001 - sorted into transient / poison below
                failures += 1
                if not is_transient(err) and failures >= HANDLER_ATTEMPTS:
                    log.exception("handler failed %d times; dead-lettering %s", failures, item.envelope.id)
                    return await self.dead_letter(item.record, f"handler error: {type(err).__name__}: {err}")
                delay = min(0.1 * 2 ** failures, 5.0)
                log.warning("event %s failed (%s: %s); retry in %.1fs", item.envelope.id, type(err).__name__, err,
                            delay)
                await self._back_off(delay)

    async def apply(self, handler: Handler, envelope: Envelope, data: EventData) -> None:
        """Apply one event exactly as the consumer does (tests drive handlers through this)."""
        await self.apply_batch([Item(None, handler, envelope, data)])

    async def apply_batch(self, items: list["Item"]) -> None:
        """Effects and (consumer, event id) markers of all items in one commit; a marker that already
        exists means a redelivery or duplicate, and its handler is skipped. Items of a deduplicating
        handler get no marker: the handler sorts out its own."""
        async with self.session_factory() as session:
            own = [getattr(i.handler, "deduplicating", False) for i in items]
            marked = [i for i, skip in zip(items, own) if not skip]
            # an id not new was redelivered or duplicated: its effect is committed
            new = {id(i) for i in first_of(marked, await self._claim(session, [i.envelope.id for i in marked]))}
            todo = [i for i, skip in zip(items, own) if skip or id(i) in new]
            for run in _runs(todo):
                if getattr(run[0].handler, "batched", False):
                    request_id_var.set(None)
                    await run[0].handler(session, run)
                else:   # an unbatched handler always runs alone
                    request_id_var.set(run[0].request_id)
                    await run[0].handler(session, run[0].envelope, run[0].data)
                await _isolate(session)
            await session.commit()
        if self.on_commit:
            self.on_commit()
        if self.crash_after_db_commit:  # fault-injection hook: die between DB commit and offset commit
            log.error("FAULT_CRASH_AFTER_DB_COMMIT: exiting after committing %d events", len(items))
            os._exit(137)

    async def _claim(self, session, event_ids: list[str]) -> set[str]:
        """Markers for the whole batch in one statement (shared.bulk: no 2,000-row VALUES compiled each
        poll); RETURNING tells which ids are new."""
        now = datetime.now(timezone.utc)
        return set(await put_rows(session, ProcessedEvent, [{"consumer": self.name, "event_id": event_id,
                                                               "processed_at": now} for event_id in event_ids],
                                  returning="event_id"))

    async def apply_many(self, handler: Handler, events: list[tuple[Envelope, EventData]]) -> None:
        """Apply several events in one transaction as one polled batch would (tests of batched handlers)."""
        await self.apply_batch([Item(None, handler, envelope, data) for envelope, data in events])

    async def dead_letter(self, record, reason: str) -> None:
        log.warning("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason)
        headers = [("dlq-reason", reason.encode()), ("original-topic", record.topic.encode()),
                   ("original-partition", str(record.partition).encode()),
                   ("original-offset", str(record.offset).encode()), ("consumer", self.name.encode())]
        for attempt in range(1_000_000):  # the broker must take it before the offset moves on
            try:
                await self.dlq.send_and_wait(dlq_topic(record.topic), record.value, key=record.key, headers=headers)
                return
            except KafkaError as err:
                log.warning("DLQ publish failed (%s); retrying", err)
                await self._back_off(min(0.2 * 2 ** attempt, 5.0))


def _runs(items: list[Item]) -> list[list[Item]]:
    """Consecutive items with the same batched handler form one run; every other item runs alone."""
    runs: list[list[Item]] = []
    for item in items:
        if runs and getattr(item.handler, "batched", False) and runs[-1][0].handler is item.handler:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


async def _isolate(session) -> None:
    """Each handler must see the database as if it ran alone: objects a previous handler loaded may be
    stale after a bulk UPDATE, and batch boundaries differ between runs."""
    await session.flush()
    session.expire_all()


async def serve(settings: ServiceSettings, topics: list[str], handlers: dict[str, Handler]) -> None:
    """Body of every `python -m services.X.consumer`: one group per service, stopped by SIGTERM/SIGINT."""
    configure_logging(f"{settings.service_name}-consumer", settings.log_level)
    await ensure_topics(settings)
    engine = make_engine(settings.database_url, custom_plans=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    consumer = EventConsumer(name=settings.service_name, topics=topics, handlers=handlers, settings=settings,
                             session_factory=make_session_factory(engine))
    settle_gc()
    try:
        await consumer.run(stop)
    finally:
        await engine.dispose()

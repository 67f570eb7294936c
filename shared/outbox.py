"""Transactional outbox: events are rows written with the business change, published by a relay.

record_event() adds the row in the caller's transaction; OutboxRelay publishes unpublished rows in
insertion order (so per key, too) and marks them sent. A crash after commit but before publish loses
nothing: the rows stay unpublished and the next relay picks them up. A crash after publish but before
marking re-sends them; consumers drop the duplicate by event id.
"""
import asyncio
import logging
import uuid
from datetime import date, datetime, timezone

from sqlalchemy import JSON, BigInteger, Column, Integer, Text, cast, select, text, update
from sqlmodel import Field, SQLModel

from shared.db import one_of, table_of
from shared.events import EventData, envelope_for
from shared.kafka import PartitionBatches
from shared.logging import request_id_var

log = logging.getLogger("outbox")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    seq: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"),
                                                           primary_key=True, autoincrement=True))
    event_id: str = Field(max_length=64, unique=True)
    topic: str = Field(max_length=200)
    key: str = Field(max_length=200)
    event_type: str = Field(max_length=100)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    published_at: datetime | None = None


def outbox_row(topic: str, event_type: str, data: EventData, *, subject: str, key: str | None = None,
               business_date: date, source: str, now: datetime) -> dict:
    """The columns of one outbox row (a fresh event id, the envelope with the current request id):
    record_event stages it as an object; set-based handlers write many with one executemany."""
    event_id = str(uuid.uuid4())
    return {"event_id": event_id, "topic": topic, "key": key or subject, "event_type": event_type,
            "payload": envelope_for(event_type, data, event_id=event_id, source=source, subject=subject,
                                    business_date=business_date, occurred_at=now, request_id=request_id_var.get())}


def record_event(session, topic: str, event_type: str, data: EventData, *, subject: str, key: str | None = None,
                 business_date: date, source: str, now: datetime | None = None) -> OutboxMessage:
    """Stage an event in the caller's transaction; it is published only if that transaction commits."""
    row = OutboxMessage(**outbox_row(topic, event_type, data, subject=subject, key=key, business_date=business_date,
                                     source=source, now=now or datetime.now(timezone.utc)))
    session.add(row)
    return row


class OutboxRelay:
    """Publishes outbox rows. One relay per database is active at a time (advisory lock on PostgreSQL)."""

    LOCK_ID = 0x0B0C_0001

    def __init__(self, session_factory, producer, poll_seconds: float = 0.5, batch: int = 500):
        self.session_factory, self.producer = session_factory, producer
        self.poll_seconds, self.batch = poll_seconds, batch
        self._wake = asyncio.Event()
        self.before_publish: list = []   # called with the number of rows about to be published

    def notify(self) -> None:
        """Called after a commit that wrote outbox rows, so events leave in milliseconds, not a poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                sent = await self.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception:  # broker or database away: keep the rows, try again
                log.exception("outbox relay cycle failed; will retry")
                sent = 0
            if sent < self.batch:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                except asyncio.TimeoutError:
                    pass

    async def publish_pending(self) -> int:
        async with self.session_factory() as session:
            if session.get_bind().dialect.name == "postgresql":
                locked = (await session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"),
                                                {"k": self.LOCK_ID})).scalar()
                if not locked:
                    return 0
            # Plain columns and the payload's stored JSON text, sent as it is: ORM objects and a
            # json.loads/dumps round trip per row were most of what publishing a task stream cost.
            table = table_of(OutboxMessage)
            rows = (await session.execute(
                select(table.c.seq, table.c.topic, table.c.key, table.c.event_type, cast(table.c.payload, Text),
                       table.c.payload["request_id"].as_string())
                .where(table.c.published_at.is_(None)).order_by(table.c.seq).limit(self.batch))).all()
            if not rows:
                return 0
            for hook in self.before_publish:
                hook(len(rows))
            batches = PartitionBatches(self.producer)   # a relay cycle is a bulk publish
            for _, topic, key, event_type, payload, request_id in rows:
                headers = [("type", event_type.encode())]
                if request_id:
                    headers.append(("x-request-id", request_id.encode()))
                await batches.add(topic, key.encode(), payload.encode(), headers)
            await batches.flush()  # acks=all for every row before any is marked sent
            # One statement for the batch: marking row by row cost the relay more than publishing.
            await session.execute(update(table).where(one_of(session, table.c.seq, [row[0] for row in rows]))
                                  .values(published_at=datetime.now(timezone.utc)))
            await session.commit()
            return len(rows)

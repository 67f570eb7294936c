"""The Prometheus metrics an operator alerts on (deploy/prometheus/README.md names each and who exports
it): consumer lag, batches, applied / skipped / dead-lettered events and retries; the outbox's backlog and
the age of its oldest row; the scheduler's last run. Label values are bounded: consumer group, topic,
partition, a known event type (else "unknown"), a service name.

The consumers and the scheduler serve them through shared/health.py's listener; the HTTP apps on a port of
their own (`serve`), never on the API port.
"""
import asyncio
import logging
from datetime import datetime, timezone

from prometheus_client import Counter, Gauge, Histogram, start_http_server
from sqlalchemy import func, select

from shared.db import table_of
from shared.events import EVENT_TYPES
from shared.outbox import OutboxMessage

log = logging.getLogger("metrics")
KNOWN_TYPES = frozenset(t for t, _ in EVENT_TYPES)
UNKNOWN = "unknown"

CONSUMER_LAG = Gauge("consumer_lag", "End offset minus the group's position, per assigned partition",
                     ["consumer", "topic", "partition"])
BATCH_SIZE = Histogram("consumer_batch_size", "Events in one polled batch", ["consumer"],
                       buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000))
BATCH_SECONDS = Histogram("consumer_batch_seconds", "Time to apply and commit one polled batch", ["consumer"],
                          buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
APPLIED = Counter("consumer_events_applied_total", "Events whose handlers ran", ["consumer", "type"])
DUPLICATES = Counter("consumer_duplicates_skipped_total", "Redelivered events found already applied",
                     ["consumer", "type"])
DEAD_LETTERED = Counter("consumer_dead_lettered_total", "Messages sent to <topic>.dlq", ["consumer", "topic", "type"])
RETRIES = Counter("consumer_retries_total", "Retries after a transient (or not yet permanent) failure", ["consumer"])
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Unpublished outbox rows", ["service"])
OUTBOX_AGE = Gauge("outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox row, 0 when none",
                   ["service"])
SCHEDULER_LAST_RUN = Gauge("scheduler_last_run_timestamp_seconds", "Unix time the scheduler's last run finished",
                           ["service"])
OUTBOX_MEASURE_SECONDS = 5.0   # well under the 60 s the OutboxStuck alert waits; one cheap query per period


def type_label(event_type: object) -> str:
    """An event type as a label: a type of the contract, else "unknown" (a label from a message's own
    text would let a bad feed create series without bound)."""
    return event_type if isinstance(event_type, str) and event_type in KNOWN_TYPES else UNKNOWN


def count_by_type(counter: Counter, consumer: str, types: list[str]) -> None:
    """One increment per type, not per event: a batch of 2000 costs a handful of label lookups."""
    counts: dict[str, int] = {}
    for event_type in types:
        counts[event_type] = counts.get(event_type, 0) + 1
    for event_type, n in counts.items():
        counter.labels(consumer, type_label(event_type)).inc(n)


async def measure_outbox(session, service: str, now: datetime | None = None) -> tuple[int, float]:
    """Set outbox_backlog and outbox_oldest_unpublished_age_seconds from the table; returns both."""
    table = table_of(OutboxMessage)
    backlog, oldest = (await session.execute(select(func.count(), func.min(table.c.created_at))
                                             .where(table.c.published_at.is_(None)))).one()
    age = 0.0
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=timezone.utc)   # SQLite keeps no zone
        age = max(0.0, ((now or datetime.now(timezone.utc)) - oldest).total_seconds())
    OUTBOX_BACKLOG.labels(service).set(backlog)
    OUTBOX_AGE.labels(service).set(age)
    return backlog, age


async def follow_outbox(session_factory, service: str, every: float = OUTBOX_MEASURE_SECONDS) -> None:
    """Measure the outbox every few seconds, apart from the relay: a relay that is wedged or cannot reach
    the broker is exactly when the numbers must keep moving."""
    while True:
        try:
            async with session_factory() as session:
                await measure_outbox(session, service)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - a failed measurement leaves the last value; readiness says why
            log.warning("outbox not measured: %s", type(err).__name__)
        await asyncio.sleep(every)


def serve(port: int, host: str):
    """The exposition on its own port (a daemon thread of prometheus_client): the server to shut down,
    or None where another worker process of this app serves the port already."""
    try:
        return start_http_server(port, addr=host)[0]
    except OSError as err:
        log.warning("metrics not served by this process: %s:%d is taken (%s)", host, port, err)
        return None

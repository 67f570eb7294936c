"""The numbers an operator alerts on move with what happens: a consumer's applied, skipped and
dead-lettered events, its batches and lag; the outbox's backlog and age with no relay running; the
gateway's breaker; and the consumer's listener serves them."""
import asyncio
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from prometheus_client import REGISTRY

from services.gateway.config import Settings as GatewaySettings
from services.gateway.upstreams import Upstreams, UpstreamUnavailable
from services.tasks.config import Settings
from services.tasks.handlers import HANDLERS
from shared.consumer import EventConsumer
from shared.db import make_engine
from shared.events import LoanDue
from shared.health import health_listener
from shared.kafka import ensure_topics
from shared.metrics import measure_outbox
from shared.outbox import record_event
from tests.support import loan_due, publish, sessions_for, unique_cif, wait_for


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def consumer_on_topic(kafka, databases):
    """An EventConsumer of the tasks handlers (its own group, so its own series) on a fresh topic."""
    topic = f"test.{uuid.uuid4().hex[:8]}"
    settings = Settings(kafka_bootstrap_servers=kafka, topic_partitions=2, kafka_session_timeout_ms=3000,
                        kafka_heartbeat_interval_ms=500)
    await ensure_topics(settings, topics=[topic])
    async with sessions_for(await databases("tasks")) as sessions:
        consumer = EventConsumer(name=f"m-{uuid.uuid4().hex[:6]}", topics=[topic], handlers=HANDLERS,
                                 settings=settings, session_factory=sessions)
        stop = asyncio.Event()
        running = asyncio.create_task(consumer.run(stop))
        yield consumer, topic
        stop.set()
        await asyncio.wait_for(running, 15)


async def test_consumer_counts_applied_duplicate_and_dead_lettered_events(kafka, consumer_on_topic):
    consumer, topic = consumer_on_topic
    cif = unique_cif()
    event = loan_due(cif, "L-M1", "2030-12-31")
    await publish(kafka, topic, cif, event)
    await publish(kafka, topic, cif, event)                                   # redelivered: skipped
    await publish(kafka, topic, cif, b"{not json")                            # unparsable: dead-lettered as unknown
    await publish(kafka, topic, cif, {**loan_due(cif, "L-M2", "2030-12-31"), "version": 7})   # bad version of a known type
    await publish(kafka, topic, cif, loan_due(cif, "L-M3", "2030-12-31"))
    name = consumer.name

    async def all_counted():
        return sample("consumer_events_applied_total", consumer=name, type="loan.due") == 2 \
            and sample("consumer_duplicates_skipped_total", consumer=name, type="loan.due") == 1 \
            and sample("consumer_dead_lettered_total", consumer=name, topic=topic, type="unknown") == 1 \
            and sample("consumer_dead_lettered_total", consumer=name, topic=topic, type="loan.due") == 1
    await wait_for(all_counted, what="applied 2, skipped 1, dead-lettered 1 unknown + 1 loan.due")
    assert sample("consumer_batch_size_sum", consumer=name) == 5   # every polled message, whatever became of it
    assert sample("consumer_batch_seconds_count", consumer=name) >= 1
    partitions = [s for m in REGISTRY.collect() if m.name == "consumer_lag" for s in m.samples
                  if s.labels["consumer"] == name]
    assert partitions and all(s.labels["topic"] == topic and s.value == 0 for s in partitions)   # caught up


async def test_outbox_backlog_and_age_grow_while_nothing_publishes(databases):
    async with sessions_for(await databases("tasks")) as sessions:
        assert await measure_outbox_of(sessions) == (0, 0.0)
        cif, written = unique_cif(), datetime.now(timezone.utc) - timedelta(seconds=90)
        async with sessions() as session:
            for n in range(3):
                row = record_event(session, "corebanking.loans", "loan.due",
                                   LoanDue.model_validate(loan_due(cif, f"L{n}", "2030-12-31")["data"]),
                                   subject=cif, business_date=date(2030, 1, 2), source="test")
                row.created_at = written   # written a minute and a half ago, never published
            await session.commit()
        backlog, age = await measure_outbox_of(sessions)
        assert backlog == 3 and age >= 90
        assert sample("outbox_backlog", service="metrics-test") == 3
        assert sample("outbox_oldest_unpublished_age_seconds", service="metrics-test") >= 90


async def measure_outbox_of(sessions):
    async with sessions() as session:
        return await measure_outbox(session, "metrics-test")


async def test_gateway_breaker_gauge_is_one_once_the_breaker_opens():
    settings = GatewaySettings(customer_url="http://127.0.0.1:9", breaker_failures=2, breaker_open_seconds=60)
    upstreams = Upstreams(settings)
    try:
        assert sample("gateway_breaker_open", service="customer") == 0
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await upstreams.call("customer", "GET", "/healthz", [])
        assert sample("gateway_breaker_open", service="customer") == 1
        assert sample("gateway_breaker_open", service="tasks") == 0
    finally:
        await upstreams.close()


async def test_consumer_listener_serves_the_consumer_metrics(databases):
    engine = make_engine(await databases("tasks"))
    try:
        async with health_listener(Settings(health_port=0), engine) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = (await asyncio.wait_for(reader.read(), 10)).decode()
            writer.close()
        assert answer.startswith("HTTP/1.1 200")
        for metric in ("consumer_lag", "consumer_batch_seconds", "consumer_dead_lettered_total", "consumer_retries_total"):
            assert f"# TYPE {metric.removesuffix('_total')}" in answer
    finally:
        await engine.dispose()


async def test_scheduler_stamps_its_last_finished_run(databases, monkeypatch):
    from services.tasks.cli import scheduler

    monkeypatch.setenv("DATABASE_URL", await databases("tasks"))
    before = time.time()
    await scheduler.main(once=True, day=date(2030, 1, 2))
    assert sample("scheduler_last_run_timestamp_seconds", service="tasks") >= before

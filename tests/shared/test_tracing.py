"""Traces across the outbox and Kafka, in one process with an in-memory exporter: a consumed event
continues its producer's trace into the events its handler writes, the relay sends the stored trace
from a producer span, and with tracing off nothing is stored or sent."""
import json
import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlmodel import select

from services.tasks.config import Settings
from shared import tracing
from shared.consumer import EventConsumer
from shared.db import make_engine, make_session_factory
from shared.events import LoanDue, parse_event
from shared.handlers import Item, batched
from shared.kafka import ensure_topics, make_producer
from shared.outbox import OutboxMessage, OutboxRelay, record_event
from tests.support import loan_due, read_topic, sessions_for, unique_cif


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    assert tracing.setup("test", exporter)
    yield exporter
    tracing.shutdown()


@pytest.fixture(scope="module")
async def db(databases):
    async with sessions_for(await databases("tasks")) as sessions:
        yield sessions


def trace_of(traceparent: str) -> tuple[int, int]:
    _, trace_id, span_id, _ = traceparent.split("-")
    return int(trace_id, 16), int(span_id, 16)


@batched
async def announce_again(session, items):
    """A handler that causes an event per event it applies, as the services' handlers do."""
    for item in items:
        record_event(session, "tasks.events", "loan.due", item.data, subject=item.envelope.subject,
                     business_date=date(2030, 1, 2), source="test")


def consumed(cif: str, loan_id: str, traceparent: str) -> Item:
    envelope, data = parse_event(json.dumps(loan_due(cif, loan_id, "2030-12-31")))
    record = SimpleNamespace(topic="corebanking.loans", partition=0, offset=0,
                             headers=[("type", b"loan.due"), ("traceparent", traceparent.encode())])
    return Item(record, announce_again, envelope, data)


def producing(name: str) -> str:
    with tracing.tracer("producer").start_as_current_span(name):
        traceparent = tracing.current_traceparent()
    assert traceparent
    return traceparent


async def test_consumed_events_continue_their_producers_traces_into_the_events_they_cause(spans, db):
    cif = unique_cif()
    first, second = producing("write one"), producing("write two")   # two requests, two traces
    engine = make_engine(db.kw["bind"].url.render_as_string(hide_password=False))   # as a consumer process makes it
    tracing.instrument_engine(engine, "tasks")
    consumer = EventConsumer(name=f"t-{uuid.uuid4().hex[:6]}", topics=[], handlers={"loan.due": announce_again},
                             settings=Settings(), session_factory=make_session_factory(engine))
    try:
        await consumer.apply_batch([consumed(cif, "L-T1", first), consumed(cif, "L-T2", second)])
    finally:
        await engine.dispose()

    async with db() as session:
        caused = (await session.exec(select(OutboxMessage).where(OutboxMessage.key == cif)
                                     .order_by(OutboxMessage.seq))).all()
    assert [trace_of(row.traceparent)[0] for row in caused] == [trace_of(first)[0], trace_of(second)[0]]
    consuming = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CONSUMER]
    assert len(consuming) == 2   # one per trace: the run was split where the trace changed
    for span, producer in zip(consuming, (first, second), strict=True):
        trace_id, span_id = trace_of(producer)
        assert (span.context.trace_id, span.parent.span_id) == (trace_id, span_id)
        assert [link.context.span_id for link in span.links] == [span_id]
        assert trace_of(caused[consuming.index(span)].traceparent)[1] == span.context.span_id
    sql = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CLIENT and s.parent
           and s.parent.span_id == consuming[0].context.span_id]
    assert sql and all("db.statement" in s.attributes or "db.query.text" in s.attributes for s in sql)


async def test_relay_sends_the_stored_trace_from_a_producer_span(spans, db, kafka):
    topic, cif = f"test.{uuid.uuid4().hex[:8]}", unique_cif()
    settings = Settings(kafka_bootstrap_servers=kafka)
    await ensure_topics(settings, topics=[topic])
    with tracing.tracer("customer").start_as_current_span("POST /customers") as write:
        async with db() as session:
            row = record_event(session, topic, "loan.due", LoanDue.model_validate(loan_due(cif, "L-R", "2030-12-31")["data"]),
                               subject=cif, business_date=date(2030, 1, 2), source="test")
            await session.commit()
    assert trace_of(row.traceparent) == (write.context.trace_id, write.context.span_id)
    producer = make_producer(settings)
    await producer.start()
    try:
        assert await OutboxRelay(db, producer, service="customer").publish_pending() >= 1
    finally:
        await producer.stop()
    [record] = [r for r in await read_topic(kafka, topic, lambda r: r.key == cif.encode()) if r.key == cif.encode()]
    sent = dict(record.headers)["traceparent"].decode()
    [publish] = [s for s in spans.get_finished_spans() if s.kind == SpanKind.PRODUCER and s.name == f"{topic} publish"]
    assert trace_of(sent) == (write.context.trace_id, publish.context.span_id)
    assert publish.parent.span_id == write.context.span_id


async def test_with_tracing_off_nothing_is_stored_sent_or_replaced(db):
    assert not tracing.enabled()
    async with db() as session:
        row = record_event(session, "tasks.events", "loan.due",
                           LoanDue.model_validate(loan_due(unique_cif(), "L-OFF", "2030-12-31")["data"]),
                           subject="x", business_date=date(2030, 1, 2), source="test")
        await session.commit()
    assert row.traceparent is None
    headers = [(b"traceparent", b"00-" + b"1" * 32 + b"-" + b"2" * 16 + b"-01")]
    assert tracing.propagate(headers) is headers   # the caller's trace passes through untouched
    assert tracing.publish_span("customer", "t", "loan.due", None) is None


def test_gateway_replaces_the_callers_traceparent_with_its_own_span(spans):
    theirs = b"00-" + b"1" * 32 + b"-" + b"2" * 16 + b"-01"
    with tracing.tracer("gateway").start_as_current_span("POST /api/v1/customers") as span:
        headers = dict(tracing.propagate([(b"traceparent", theirs), (b"x-request-id", b"r1")]))
    assert headers[b"x-request-id"] == b"r1"
    assert trace_of(headers[b"traceparent"].decode()) == (span.context.trace_id, span.context.span_id)

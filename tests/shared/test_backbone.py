"""The event backbone against the real broker and PostgreSQL: idempotent consumer, DLQ, retries, outbox."""
import asyncio
import json
import uuid

import pytest
from sqlalchemy import exc as sa_exc
from sqlmodel import func, select

from services.tasks.config import Settings
from services.tasks.handlers import HANDLERS
from services.tasks.models import Task
from shared import consumer as consumer_module
from shared.consumer import EventConsumer
from shared.events import LoanDue
from shared.handlers import batched
from shared.kafka import ensure_topics, make_producer
from shared.logging import request_id_var
from shared.outbox import OutboxMessage, OutboxRelay, record_event
from tests.support import loan_due, publish, read_topic, sessions_for, unique_cif, wait_for


@pytest.fixture(scope="module")
async def db(databases):
    async with sessions_for(await databases("tasks")) as sessions:
        yield sessions


@pytest.fixture
async def topic(kafka):
    name = f"test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(Settings(kafka_bootstrap_servers=kafka, topic_partitions=2), topics=[name])
    return name


@pytest.fixture
async def run_consumer(kafka, db):
    """Start an EventConsumer on a topic (own group) in the background; stopped after the test."""
    running = []

    async def start(topic: str, handlers=HANDLERS) -> EventConsumer:
        settings = Settings(kafka_bootstrap_servers=kafka, kafka_session_timeout_ms=3000,
                            kafka_heartbeat_interval_ms=500)
        c = EventConsumer(name=f"g-{uuid.uuid4().hex[:6]}", topics=[topic], handlers=handlers, settings=settings,
                          session_factory=db)
        stop = asyncio.Event()
        running.append((stop, asyncio.create_task(c.run(stop))))
        return c

    yield start
    for stop, task in running:
        stop.set()
        await asyncio.wait_for(task, 15)


async def task_count(db, cif, loan_id=None):
    async with db() as s:
        where = [Task.cif == cif] + ([Task.subject == loan_id] if loan_id else [])
        return (await s.exec(select(func.count()).select_from(Task).where(*where))).one()


async def test_duplicated_and_redelivered_event_has_one_effect(kafka, db, topic, run_consumer):
    await run_consumer(topic)
    cif = unique_cif()
    event = loan_due(cif, "L-DUP", "2030-12-31")
    await publish(kafka, topic, cif, event)
    await publish(kafka, topic, cif, event)
    await publish(kafka, topic, cif, loan_due(cif, "L-SENTINEL", "2030-12-31"))
    await wait_for(lambda: task_count(db, cif, "L-SENTINEL"), what="sentinel task")  # same key: in order
    assert await task_count(db, cif, "L-DUP") == 1


async def test_malformed_message_goes_to_dlq_with_reason_and_the_next_is_processed(kafka, db, topic, run_consumer):
    await run_consumer(topic)
    cif = unique_cif()
    await publish(kafka, topic, cif, b"{not json")
    await publish(kafka, topic, cif, {**loan_due(cif, "L-BAD", "2030-12-31"), "version": 7})
    await publish(kafka, topic, cif, loan_due(cif, "L-OK", "2030-12-31"))
    await wait_for(lambda: task_count(db, cif, "L-OK"), what="valid task after garbage")
    dead = await read_topic(kafka, f"{topic}.dlq", lambda r: r.key == cif.encode() and b"version" in r.value)
    reasons = {dict(r.headers)["dlq-reason"].decode() for r in dead if r.key == cif.encode()}
    assert reasons == {"not valid JSON", "unknown version: loan.due v7"}
    origin = {dict(r.headers)["original-topic"].decode() for r in dead}
    assert origin == {topic} and all(dict(r.headers)["original-offset"].isdigit() for r in dead)


async def test_transient_database_failure_is_retried_not_skipped(kafka, db, topic, run_consumer, monkeypatch):
    monkeypatch.setattr(consumer_module, "HANDLER_ATTEMPTS", 2)  # transient errors must ignore this limit
    failures = {"left": 4}

    @batched
    async def flaky_loan_due(session, items):
        if failures["left"]:
            failures["left"] -= 1
            raise sa_exc.OperationalError("INSERT", {}, ConnectionRefusedError("database is down"))
        await HANDLERS["loan.due"](session, items)

    await run_consumer(topic, {**HANDLERS, "loan.due": flaky_loan_due})
    cif = unique_cif()
    await publish(kafka, topic, cif, loan_due(cif, "L-RETRY", "2030-12-31"))
    await wait_for(lambda: task_count(db, cif, "L-RETRY"), timeout=30, what="task after database came back")
    assert failures["left"] == 0 and await task_count(db, cif) == 1


def failing_on(loan_id: str, error: Exception, calls: dict):
    """The real loan handler, except that a run holding `loan_id` raises `error`."""
    @batched
    async def handler(session, items):
        if any(i.data.loan_id.startswith(loan_id) for i in items):
            calls["n"] += 1
            raise error
        await HANDLERS["loan.due"](session, items)
    return handler


async def poison_then_good(kafka, db, topic) -> tuple[str, str]:
    """A poison loan.due, then a good one of the same customer (loan ids of their own: a task is unique
    per loan and due date, whoever the customer)."""
    cif = unique_cif()
    await publish(kafka, topic, cif, loan_due(cif, f"L-POISON-{cif}", "2030-12-31"))
    await publish(kafka, topic, cif, loan_due(cif, f"L-AFTER-{cif}", "2030-12-31"))
    await wait_for(lambda: task_count(db, cif, f"L-AFTER-{cif}"), timeout=30, what="the event after the poison one")
    dead = await read_topic(kafka, f"{topic}.dlq", lambda r: r.key == cif.encode())
    [reason] = [dict(r.headers)["dlq-reason"].decode() for r in dead if r.key == cif.encode()]
    assert await task_count(db, cif, f"L-POISON-{cif}") == 0
    return cif, reason


async def test_a_handler_that_keeps_failing_sends_the_event_to_dlq_and_moves_on(kafka, db, topic, run_consumer,
                                                                              monkeypatch):
    monkeypatch.setattr(consumer_module, "HANDLER_ATTEMPTS", 3)
    calls = {"n": 0}
    await run_consumer(topic, {**HANDLERS, "loan.due": failing_on("L-POISON", RuntimeError("lock lost"), calls)})
    _, reason = await poison_then_good(kafka, db, topic)
    assert reason == "handler error: RuntimeError: lock lost"
    assert calls["n"] >= 1 + 3   # the batch, then each attempt of the event alone


@pytest.mark.parametrize("error", [ValueError("cannot route this loan"), ArithmeticError("overflow"),
                                   KeyError("no such rule")])
async def test_an_error_the_event_will_always_cause_dead_letters_it_at_once_without_retries(
        kafka, db, topic, run_consumer, error):
    """A ValueError or an arithmetic error comes from the event itself: retrying it with back-off only
    held up the good events behind it (about 3 s a poison event)."""
    calls = {"n": 0}
    await run_consumer(topic, {**HANDLERS, "loan.due": failing_on("L-POISON", error, calls)})
    _, reason = await poison_then_good(kafka, db, topic)
    assert reason == f"handler error: {type(error).__name__}: {error}"
    assert calls["n"] <= 2   # the batch, then the event alone once


async def test_outbox_rows_are_published_in_order_with_their_headers_and_marked_sent_once(kafka, db, topic):
    cif, rid = unique_cif(), f"rid-{uuid.uuid4().hex[:8]}"
    token = request_id_var.set(rid)
    async with db() as s:
        rows = [record_event(s, topic, "loan.due", LoanDue.model_validate(loan_due(cif, f"L{n}", "2030-12-31")["data"]),
                             subject=cif, business_date=__import__("datetime").date(2026, 11, 25), source="test")
                for n in range(5)]
        await s.commit()
    request_id_var.reset(token)
    ids = [r.event_id for r in rows]
    producer = make_producer(Settings(kafka_bootstrap_servers=kafka))
    await producer.start()
    try:
        relay = OutboxRelay(db, producer)
        assert await relay.publish_pending() >= 5
        assert await relay.publish_pending() == 0            # marked sent: nothing twice
    finally:
        await producer.stop()
    records = await read_topic(kafka, topic, lambda r: json.loads(r.value)["id"] == ids[-1])
    ours = [r for r in records if r.key == cif.encode()]
    assert [json.loads(r.value)["id"] for r in ours] == ids
    assert all(dict(r.headers) == {"type": b"loan.due", "x-request-id": rid.encode()} for r in ours)
    async with db() as s:
        pending = (await s.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.event_id.in_(ids), OutboxMessage.published_at.is_(None)))).one()
    assert pending == 0


async def test_stop_request_ends_a_consumer_retrying_against_a_database_that_is_away(kafka, db, topic):
    """SIGTERM while the database is down: the consumer ends within a retry wait, leaving the batch
    uncommitted, and the next consumer of the group applies it."""
    calls = {"n": 0}

    @batched
    async def database_away(session, items):
        calls["n"] += 1
        raise sa_exc.OperationalError("INSERT", {}, ConnectionRefusedError("database is down"))

    settings = Settings(kafka_bootstrap_servers=kafka, kafka_session_timeout_ms=3000, kafka_heartbeat_interval_ms=500)
    group = f"g-{uuid.uuid4().hex[:6]}"
    first = EventConsumer(name=group, topics=[topic], handlers={**HANDLERS, "loan.due": database_away},
                          settings=settings, session_factory=db)
    stop = asyncio.Event()
    running = asyncio.create_task(first.run(stop))
    cif = unique_cif()
    await publish(kafka, topic, cif, loan_due(cif, "L-STOP", "2030-12-31"))
    async def retrying():
        return calls["n"] >= 3
    await wait_for(retrying, timeout=30, what="the consumer to be retrying")
    stop.set()
    await asyncio.wait_for(running, 10)   # before the fix it retried until killed
    assert await task_count(db, cif, "L-STOP") == 0

    second = EventConsumer(name=group, topics=[topic], handlers=HANDLERS, settings=settings, session_factory=db)
    stop_second = asyncio.Event()
    running = asyncio.create_task(second.run(stop_second))
    try:
        await wait_for(lambda: task_count(db, cif, "L-STOP"), timeout=30, what="the next consumer to apply it")
    finally:
        stop_second.set()
        await asyncio.wait_for(running, 15)

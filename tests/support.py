"""Test helpers: events as core banking sends them, tokens, waiting on conditions, Kafka reads."""
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import jwt
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.auth import Principal
from shared.consumer import EventConsumer
from shared.db import make_engine, make_session_factory
from shared.events import parse_event
from shared.settings import ServiceSettings

DEMO = {  # username -> (roles, unit, unit_path, team), as seeded (hq01: a head-office head, for four eyes)
    "admin": (["admin"], "HQ", "HQ", None),
    "hq01": (["branch_head"], "HQ", "HQ", None),
    "branch01": (["branch_head"], "BR01", "HQ/BR01", None),
    "lead01": (["team_lead"], "SB01", "HQ/BR01/SB01", "T01"),
    "rm01": (["rm"], "SB01", "HQ/BR01/SB01", "T01"),
    "rm02": (["rm"], "SB01", "HQ/BR01/SB01", "T01"),
    "risk01": (["risk_manager"], "BR01", "HQ/BR01", None),
    "audit01": (["auditor"], "BR01", "HQ/BR01", None),
}


def principal(username: str) -> Principal:
    roles, unit, path, team = DEMO[username]
    return Principal(username=username, user_id=str(uuid.uuid5(uuid.NAMESPACE_DNS, username)), roles=tuple(roles),
                     unit=unit, unit_path=path, team=team)


def mint_token(private_key_file: str, username: str, minutes: int = 30, **claims) -> str:
    """A token as the customer service would sign it (for services tested without it)."""
    p = principal(username)
    now = datetime.now(timezone.utc)
    body = {"sub": p.username, "uid": p.user_id, "roles": list(p.roles), "unit": p.unit, "unit_path": p.unit_path,
            "team": p.team, "iss": "rm-workbench", "aud": "rm-workbench", "iat": now,
            "exp": now + timedelta(minutes=minutes), **claims}
    return jwt.encode(body, Path(private_key_file).read_text(), algorithm="RS256")


def core_event(event_type: str, subject: str, data: dict, *, event_id: str | None = None,
               business_date: str = "2026-11-25") -> dict:
    return {"id": event_id or str(uuid.uuid4()), "type": event_type, "version": 1, "source": "core-banking",
            "occurred_at": f"{business_date}T08:00:00Z", "business_date": business_date, "subject": subject,
            "data": data}


def loan_due(cif: str, loan_id: str, due_date: str, *, principal_due: str = "100000.00", interest_due: str = "350.00",
             outstanding: str = "500000.00", **kw) -> dict:
    return core_event("loan.due", cif, {"loan_id": loan_id, "customer_id": cif, "due_date": due_date,
                                        "principal_due": principal_due, "interest_due": interest_due,
                                        "outstanding_balance": outstanding}, **kw)


def unique_cif() -> str:
    return "C" + uuid.uuid4().hex[:10].upper()


async def wait_for(check: Callable[[], Awaitable], timeout: float = 20.0, what: str = "condition"):
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


async def publish(bootstrap: str, topic: str, key: str, value) -> None:
    """Exactly as core banking would: key = CIF, value = JSON envelope (or raw bytes for garbage)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        payload = value if isinstance(value, bytes) else json.dumps(value).encode()
        await producer.send_and_wait(topic, payload, key=key.encode())
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, match: Callable, timeout: float = 20.0) -> list:
    """All records of `topic` (every partition, from the start) until one satisfies `match`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = await wait_for(lambda: _partitions(consumer, topic), 10, f"topic {topic}")
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                seen.extend(records)
            if any(match(r) for r in seen):
                return seen
        raise AssertionError(f"no matching record on {topic} within {timeout}s ({len(seen)} seen)")
    finally:
        await consumer.stop()


async def _partitions(consumer, topic):
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic)


@asynccontextmanager
async def sessions_for(url: str):
    """A session factory on a service database, its engine disposed afterwards."""
    engine = make_engine(url)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


def event_applier(name: str, handlers: dict, sessions) -> Callable[[dict], Awaitable[None]]:
    """apply(event): validated and applied exactly as the consumer `name` would (dedup marker, one commit)."""
    consumer = EventConsumer(name=name, topics=[], handlers=handlers, settings=ServiceSettings(),
                             session_factory=sessions)

    async def apply(event: dict) -> None:
        envelope, data = parse_event(json.dumps(event).encode())
        await consumer.apply(handlers[envelope.type], envelope, data)

    return apply


@asynccontextmanager
async def running_app(app):
    """A service app with its lifespan, called in-process over ASGI."""
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            yield client


class Clock:
    """A monotonic clock the test moves by hand (set .now), for state machines that take a `clock`."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

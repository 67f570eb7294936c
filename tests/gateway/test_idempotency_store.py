"""The shared idempotency store against the real database: one claim wins, however many race."""
import asyncio
from datetime import timedelta

import pytest
from fastapi.responses import Response
from starlette.requests import Request

from services.gateway.idempotency import IdempotencyStore, fingerprint, once
from shared.clock import utcnow
from shared.db import make_engine


@pytest.fixture
async def stores(databases):
    """Two stores on one database: two gateway replicas."""
    url = await databases("gateway")
    engines = [make_engine(url), make_engine(url)]
    yield [IdempotencyStore(e, timedelta(hours=24)) for e in engines]
    for e in engines:
        await e.dispose()


async def test_concurrent_claims_of_one_key_on_two_replicas_leave_exactly_one_winner(stores):
    fp = fingerprint("POST", "/api/v1/customers", b'{"cif":"C1"}')
    now = utcnow()
    claims = await asyncio.gather(*(stores[i % 2].claim("rm01", "k-race", fp, now) for i in range(12)))
    assert sum(c.ours for c in claims) == 1
    assert all(c.status is None for c in claims if not c.ours)   # the others see it in flight


async def test_a_completed_key_replays_the_stored_answer_to_the_same_owner_only(stores):
    fp = fingerprint("POST", "/api/v1/customers", b"{}")
    now = utcnow()
    assert (await stores[0].claim("rm01", "k-done", fp, now)).ours
    await stores[0].complete("rm01", "k-done", 201, "application/json", b'{"id":"x"}')
    again = await stores[1].claim("rm01", "k-done", fp, now)
    assert (again.ours, again.status, again.body, again.fingerprint) == (False, 201, b'{"id":"x"}', fp)
    assert (await stores[1].claim("rm02", "k-done", fp, now)).ours   # keys are per caller


def _post(path: str) -> Request:
    return Request({"type": "http", "method": "POST", "path": path, "query_string": b"", "headers": []})


async def test_a_key_whose_first_attempt_timed_out_stays_claimed_and_the_retry_asks_the_service(stores):
    """The finding: the gateway answered 503 at its timeout and released the key, the service committed
    anyway, and the retry wrote again. Now the claim is kept, and the retry goes to the service, which
    knows the outcome (it recorded the key with its write) and answers 409 until it does."""
    forwarded: list[int] = []

    def service_says(status: int, body: bytes):
        async def act():
            forwarded.append(status)
            return Response(body, status_code=status, media_type="application/json")
        return act

    request = _post("/api/v1/customers/c1/interactions")
    timed_out = await once(request, stores[0], "rm01", "k-slow", b"{}", service_says(503, b'{"code":"upstream_down"}'))
    assert timed_out.status_code == 503
    fp = fingerprint("POST", "/api/v1/customers/c1/interactions", b"{}")
    assert not (await stores[1].claim("rm01", "k-slow", fp, utcnow())).ours   # not free for a blind retry
    still = await once(request, stores[1], "rm01", "k-slow", b"{}",
                       service_says(409, b'{"code":"idempotency_in_progress"}'))
    assert still.status_code == 409
    done = await once(request, stores[0], "rm01", "k-slow", b"{}", service_says(201, b'{"id":"i1"}'))
    assert done.status_code == 201 and forwarded == [503, 409, 201]
    replay = await once(request, stores[1], "rm01", "k-slow", b"{}", service_says(500, b""))
    assert (replay.status_code, replay.body, forwarded) == (201, b'{"id":"i1"}', [503, 409, 201])


async def test_an_abandoned_claim_is_taken_over_by_a_later_retry_and_expired_keys_are_purged(stores):
    fp = fingerprint("POST", "/x", b"")
    then = utcnow() - timedelta(minutes=5)
    assert (await stores[0].claim("rm01", "k-dead", fp, then)).ours     # its replica died mid-request
    assert (await stores[1].claim("rm01", "k-dead", fp, utcnow())).ours
    assert (await stores[0].claim("rm01", "k-old", fp, utcnow() - timedelta(hours=25))).ours
    assert await stores[0].purge(utcnow()) >= 1
    assert (await stores[1].claim("rm01", "k-old", fp, utcnow())).ours

"""The shared idempotency store against the real database: one claim wins, however many race."""
import asyncio
from datetime import timedelta

import pytest

from services.gateway.idempotency import IdempotencyStore, fingerprint
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


async def test_a_released_key_can_be_claimed_again(stores):
    fp = fingerprint("POST", "/x", b"")
    now = utcnow()
    assert (await stores[0].claim("rm01", "k-rel", fp, now)).ours
    await stores[0].release("rm01", "k-rel")
    assert (await stores[1].claim("rm01", "k-rel", fp, now)).ours


async def test_an_abandoned_claim_is_taken_over_by_a_later_retry_and_expired_keys_are_purged(stores):
    fp = fingerprint("POST", "/x", b"")
    then = utcnow() - timedelta(minutes=5)
    assert (await stores[0].claim("rm01", "k-dead", fp, then)).ours     # its replica died mid-request
    assert (await stores[1].claim("rm01", "k-dead", fp, utcnow())).ours
    assert (await stores[0].claim("rm01", "k-old", fp, utcnow() - timedelta(hours=25))).ours
    assert await stores[0].purge(utcnow()) >= 1
    assert (await stores[1].claim("rm01", "k-old", fp, utcnow())).ours

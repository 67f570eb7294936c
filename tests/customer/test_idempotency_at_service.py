"""Idempotency-Key at the service: the key is recorded with the write, so a retry of a request the
gateway gave up on (the service slow behind a row lock) replays the answer and never writes twice."""
import asyncio

from sqlalchemy import text

from services.customer.models import Interaction
from tests.customer.helpers import count, create

VISIT = {"channel": "visit", "occurred_on": "2026-11-21", "notes": "走访", "needs": "授信", "next_step": "跟进"}


async def test_a_retry_with_the_same_key_replays_the_first_answer_and_logs_one_visit(customer_api, login, customer_db):
    rm = await login("rm01")
    c = (await create(customer_api, rm)).json()
    url = f"/api/v1/customers/{c['id']}/interactions"
    first = await customer_api.post(url, json=VISIT, headers={**rm, "Idempotency-Key": "visit-1"})
    again = await customer_api.post(url, json=VISIT, headers={**rm, "Idempotency-Key": "visit-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert await count(customer_db, Interaction, Interaction.customer_id == c["id"]) == 1
    other = await customer_api.post(url, json={**VISIT, "notes": "另一次"},
                                    headers={**rm, "Idempotency-Key": "visit-1"})
    assert other.status_code == 422   # the same key for a different request is refused, not replayed


async def test_a_retry_while_the_first_attempt_waits_on_a_row_lock_does_not_write_twice(customer_api, login,
                                                                                       customer_db):
    rm = await login("rm01")
    c = (await create(customer_api, rm)).json()
    url = f"/api/v1/customers/{c['id']}/interactions"
    headers = {**rm, "Idempotency-Key": "slow-visit"}
    async with customer_db() as locker:   # a long transaction holds the customer row, as in the finding
        await locker.execute(text("SELECT 1 FROM customer WHERE id = :id FOR UPDATE"), {"id": c["id"]})
        first = asyncio.create_task(customer_api.post(url, json=VISIT, headers=headers))
        retry = asyncio.create_task(customer_api.post(url, json=VISIT, headers=headers))
        await _until_waiting_on_locks(customer_db, 2)
        await locker.rollback()
    answers = sorted(r.status_code for r in await asyncio.gather(first, retry))
    assert answers == [201, 409]
    assert await count(customer_db, Interaction, Interaction.customer_id == c["id"]) == 1
    replay = await customer_api.post(url, json=VISIT, headers=headers)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"


async def _until_waiting_on_locks(sessions, n: int, timeout: float = 10.0) -> None:
    """Wait until n other sessions are blocked on a lock (the two attempts behind the held row)."""
    async with sessions() as s:
        if s.get_bind().dialect.name != "postgresql":
            return
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            waiting = (await s.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                            "AND datname = current_database()"))).scalar_one()
            if waiting >= n:
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"{n} requests never waited on the held row")

"""Idempotency-Key when the service is slow, as it was found: a row lock held longer than the gateway's
upstream timeout. The gateway answered 503 and released the key, the service committed anyway, and the
retry with the same key wrote a second interaction."""
import pytest
from sqlalchemy import text

from shared.db import make_engine
from tests.e2e.gateway.test_conventions import customer
from tests.support import unique_cif, wait_for
from tools.watch import query

pytestmark = pytest.mark.e2e
VISIT = {"channel": "visit", "occurred_on": "2026-11-21", "notes": "走访", "needs": "授信", "next_step": "跟进"}


async def test_a_post_the_gateway_gave_up_on_is_written_once_and_its_retry_gets_the_answer(gateway_api):
    api = gateway_api
    created = (await api.call("POST", "/customers", "rm01", json=customer(unique_cif()))).json()
    url, key = f"/customers/{created['id']}/interactions", {"Idempotency-Key": "slow-" + created["cif"]}
    engine = make_engine(api.stack.database_urls["customer"])
    try:
        async with engine.connect() as lock:   # holds the customer row past the gateway's 4 s
            await lock.execute(text("SELECT 1 FROM customer WHERE id = :id FOR UPDATE"), {"id": created["id"]})
            first = await api.call("POST", url, "rm01", json=VISIT, headers=key)
            assert first.status_code == 503, first.text
            retry = await api.call("POST", url, "rm01", json=VISIT, headers=key)
            assert retry.status_code in (409, 503), retry.text   # outcome unknown yet: never a second act
            await lock.rollback()
    finally:
        await engine.dispose()

    async def answered():
        r = await api.call("POST", url, "rm01", json=VISIT, headers=key)
        return r if r.status_code == 201 else None

    replay = await wait_for(answered, timeout=30, what="the retry to get the first attempt's answer")
    assert replay.headers.get("idempotent-replayed") == "true"
    rows = await query(api.stack, "customer", "SELECT id FROM interaction WHERE cif = :cif", cif=created["cif"])
    assert [str(r.id) for r in rows] == [replay.json()["id"]]

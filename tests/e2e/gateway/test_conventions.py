"""The gateway's conventions against the real services: pagination, ETag/304, Idempotency-Key,
problem+json for every error, CORS and security headers, rate limits, body limit."""
import asyncio
import uuid

import httpx
import pytest

from tests.e2e.gateway.conftest import APP_ORIGIN
from tests.support import unique_cif

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"


def customer(cif: str, name: str = "滨江贸易有限公司") -> dict:
    return {"cif": cif, "name": name, "kind": "corporate"}


async def test_walking_250_customers_page_by_page_loses_and_repeats_nothing(gateway_api):
    api = gateway_api
    cifs = {"CPAGE" + uuid.uuid4().hex[:6].upper() + f"{i:03d}" for i in range(250)}
    gate = asyncio.Semaphore(8)

    async def create(cif):
        async with gate:
            r = await api.call("POST", "/customers", "rm02", json=customer(cif))
            assert r.status_code == 201, r.text
    await asyncio.gather(*(create(c) for c in cifs))

    seen, cursor, pages = [], None, 0
    while True:
        r = await api.call("GET", "/customers", "rm02", params={"limit": 37, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        seen += [c["cif"] for c in r.json()["items"]]
        pages += 1
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) and set(seen) == cifs and pages == 7   # 6 × 37 + 28
    assert seen == sorted(seen)


async def test_page_limit_above_the_maximum_or_not_a_number_is_a_422_problem(gateway_api):
    for limit in ("201", "0", "ten"):
        r = await gateway_api.call("GET", "/tasks", "rm01", params={"limit": limit})
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
        assert r.json()["errors"][0]["field"] == "limit"
    assert (await gateway_api.call("GET", "/tasks", "rm01", params={"limit": "200"})).status_code == 200


async def test_a_get_answers_304_while_unchanged_and_200_with_a_new_etag_once_changed(gateway_api):
    api = gateway_api
    prefix = "CETAG" + uuid.uuid4().hex[:5].upper()
    assert (await api.call("POST", "/customers", "rm01", json=customer(prefix + "1"))).status_code == 201
    first = await api.call("GET", "/customers", "rm01", params={"q": prefix})
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    same = await api.call("GET", "/customers", "rm01", params={"q": prefix}, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    assert (await api.call("POST", "/customers", "rm01", json=customer(prefix + "2"))).status_code == 201
    changed = await api.call("GET", "/customers", "rm01", params={"q": prefix}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag and len(changed.json()["items"]) == 2


async def test_a_retried_post_with_the_same_key_replays_the_first_answer_and_acts_once(gateway_api):
    api = gateway_api
    cif, key = unique_cif(), str(uuid.uuid4())
    first = await api.call("POST", "/customers", "rm01", json=customer(cif), headers={"Idempotency-Key": key})
    retry = await api.call("POST", "/customers", "rm01", json=customer(cif), headers={"Idempotency-Key": key})
    assert first.status_code == retry.status_code == 201    # acting twice would have been 409 duplicate CIF
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
    listed = await api.call("GET", "/customers", "rm01", params={"q": cif})
    assert [c["cif"] for c in listed.json()["items"]] == [cif]


async def test_reusing_a_key_with_a_different_body_is_a_422_problem_and_does_not_act(gateway_api):
    api = gateway_api
    key = str(uuid.uuid4())
    assert (await api.call("POST", "/customers", "rm01", json=customer(unique_cif()),
                           headers={"Idempotency-Key": key})).status_code == 201
    other = unique_cif()
    r = await api.call("POST", "/customers", "rm01", json=customer(other), headers={"Idempotency-Key": key})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "idempotency_key_reused"
    assert (await api.call("GET", "/customers", "rm01", params={"q": other})).json()["items"] == []


async def test_concurrent_duplicates_on_two_replicas_create_one_customer(gateway_api):
    api, strict = gateway_api, gateway_api.on("gateway-strict")
    cif, key = unique_cif(), str(uuid.uuid4())
    calls = [(api if i % 2 else strict).call("POST", "/customers", "rm01", json=customer(cif),
                                             headers={"Idempotency-Key": key}) for i in range(6)]
    answers = await asyncio.gather(*calls)
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses  # 409: the first still in flight
    assert sum(1 for r in answers if r.status_code == 201 and "idempotent-replayed" not in r.headers) == 1
    listed = await api.call("GET", "/customers", "rm01", params={"q": cif})
    assert len(listed.json()["items"]) == 1


async def test_unknown_routes_and_wrong_methods_are_problems(gateway_api):
    api = gateway_api
    for method, path, status in (("GET", "/nowhere", 404), ("DELETE", "/customers", 405),
                                 ("POST", "/healthz", 405), ("PUT", "/me/home", 405)):
        r = await api.call(method, path, "rm01")
        assert r.status_code == status and r.headers["content-type"] == PROBLEM, (method, path, r.text)
        assert r.json()["status"] == status and r.json()["detail"]
    outside = await api.call("GET", "/../../etc")
    assert outside.status_code == 404 and outside.headers["content-type"] == PROBLEM


async def test_a_bad_token_is_refused_at_the_gateway_in_the_callers_language(gateway_api):
    r = await gateway_api.call("GET", "/customers", headers={"Authorization": "Bearer not-a-token",
                                                             "Accept-Language": "en"})
    assert r.status_code == 401 and r.headers["content-type"] == PROBLEM and "sign in" in r.json()["detail"]


async def test_cors_admits_the_app_origin_only_and_every_answer_has_security_headers(gateway_api):
    api = gateway_api
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,idempotency-key,content-type"}
    ok = await api.call("OPTIONS", "/customers", headers={"Origin": APP_ORIGIN, **preflight})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "idempotency-key" in ok.headers["access-control-allow-headers"].lower()
    bad = await api.call("OPTIONS", "/customers", headers={"Origin": "https://evil.example.com", **preflight})
    assert "access-control-allow-origin" not in bad.headers
    got = await api.call("GET", "/me", "rm01", headers={"Origin": APP_ORIGIN})
    assert got.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "etag" in got.headers["access-control-expose-headers"].lower()
    for r in (got, await api.call("GET", "/nowhere")):
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"


async def test_a_user_over_the_rate_gets_429_with_retry_after_and_others_are_unaffected(gateway_api):
    strict = gateway_api.on("gateway-strict")   # 1 request/s per user, burst 5
    await strict.headers("audit01"), await strict.headers("risk01")
    answers = [await strict.call("GET", "/me", "audit01") for _ in range(8)]
    limited = [r for r in answers if r.status_code == 429]
    assert [r.status_code for r in answers[:5]] == [200] * 5 and limited
    assert limited[0].headers["content-type"] == PROBLEM and int(limited[0].headers["retry-after"]) >= 1
    assert (await strict.call("GET", "/me", "risk01")).status_code == 200


async def test_a_body_over_the_limit_is_413_whether_it_declares_its_length_or_is_chunked(gateway_api):
    strict = gateway_api.on("gateway-strict")   # 2 KiB limit
    big = customer(unique_cif(), name="大" * 3000)
    declared = await strict.call("POST", "/customers", "lead01", json=big)
    assert declared.status_code == 413 and declared.headers["content-type"] == PROBLEM

    async def chunks():
        for _ in range(10):
            yield b"x" * 1024
    async with httpx.AsyncClient(timeout=10) as c:
        chunked = await c.post(strict.base + "/customers", content=chunks(),
                               headers={**await strict.headers("lead01"), "content-type": "application/json"})
    assert chunked.status_code == 413 and chunked.headers["content-type"] == PROBLEM

"""The front door's order of checks: the per-address limit holds whatever token a request carries;
and what a caller without a token can make the gateway keep: nothing."""
import httpx
from fastapi import FastAPI
from starlette.responses import PlainTextResponse

from services.gateway.forwarder import Forwarder
from services.gateway.frontdoor import FrontDoor
from services.gateway.ratelimit import RateLimiter
from services.gateway.upstreams import Reply
from shared.errors import Problem


class ForgedTokens:
    """Every token is refused, as a forged one is; counts the (costly) verifications."""

    def __init__(self):
        self.checked = 0

    def principal(self, token):
        self.checked += 1
        raise Problem(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


async def test_requests_with_forged_tokens_are_held_to_the_per_address_limit():
    verifier = ForgedTokens()
    door = FrontDoor(PlainTextResponse("ok"), verifier=verifier, per_ip=RateLimiter(1, 5),
                     per_user=RateLimiter(1000, 1000), max_body=1024)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=door), base_url="http://test") as client:
        answers = [await client.get("/api/v1/customers", headers={"Authorization": f"Bearer forged-{n}"})
                   for n in range(20)]
    statuses = [r.status_code for r in answers]
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429 and statuses.count(429) >= 14
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert verifier.checked < 7   # once over the limit, no signature is checked


class Upstreams:
    """The services, as far as the forwarder sees them: every call answered 401 (no token)."""

    def __init__(self):
        self.calls = 0

    async def call(self, service, method, path_qs, headers, body=None):
        self.calls += 1
        return Reply(401, [(b"content-type", b"application/problem+json")], b'{"status": 401}')


class Keys:
    def __init__(self):
        self.claimed = 0

    async def claim(self, *args):
        self.claimed += 1
        raise AssertionError("a tokenless request's key was stored")


async def test_tokenless_posts_with_idempotency_keys_store_nothing_and_reach_the_service():
    api = FastAPI()
    api.state.upstreams, api.state.idempotency = Upstreams(), Keys()
    door = FrontDoor(Forwarder(api, 200), verifier=ForgedTokens(), per_ip=RateLimiter(1000, 1000),
                     per_user=RateLimiter(1000, 1000), max_body=1024)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=door), base_url="http://test") as client:
        answers = [await client.post("/api/v1/customers", json={}, headers={"Idempotency-Key": f"k-{n}"})
                   for n in range(50)]
    assert {r.status_code for r in answers} == {401}
    assert api.state.idempotency.claimed == 0 and api.state.upstreams.calls == 50

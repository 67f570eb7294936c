"""The front door's order of checks: the per-address limit holds whatever token a request carries."""
import httpx
from starlette.responses import PlainTextResponse

from services.gateway.frontdoor import FrontDoor
from services.gateway.ratelimit import RateLimiter
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

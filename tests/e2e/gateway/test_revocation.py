"""Revocation reaches every door: a session ended by logout, or a member of staff deactivated, is refused
by the gateway and by each service called directly with the same token (not only at the gateway)."""
import httpx
import pytest

from services.customer.cli.seed import DEMO_PASSWORD
from tests.support import unique_cif, wait_for

pytestmark = pytest.mark.e2e
DIRECT = {"customer": "/api/v1/customers?limit=1", "tasks": "/api/v1/tasks?limit=1",
          "appraisal": "/api/v1/appraisal/rankings"}


async def sign_in(api, username: str, password: str = DEMO_PASSWORD) -> dict:
    async with httpx.AsyncClient(timeout=10) as c:
        r = await c.post(api.base + "/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def answers(api, headers: dict) -> dict[str, int]:
    """Status of the same token at the gateway and at each service called directly."""
    async with httpx.AsyncClient(timeout=10) as c:
        found = {"gateway": (await c.get(api.base + "/me", headers=headers)).status_code}
        for service, path in DIRECT.items():
            found[service] = (await c.get(api.stack.url(service) + path, headers=headers)).status_code
    return found


async def refused_everywhere(api, headers: dict) -> dict[str, int] | None:
    found = await answers(api, headers)
    return found if set(found.values()) == {401} else None


async def test_a_logged_out_sessions_token_is_refused_by_every_service_called_directly(gateway_api):
    api = gateway_api
    headers = await sign_in(api, "rm02")
    assert 401 not in (await answers(api, headers)).values()

    assert (await api.call("POST", "/auth/logout", headers=headers)).status_code == 204

    await wait_for(lambda: refused_everywhere(api, headers), timeout=20, what="every service to learn of the logout")


async def test_a_deactivated_users_token_is_refused_at_the_gateway_and_at_every_service(gateway_api):
    api = gateway_api
    username = "leaver_" + unique_cif().lower()
    r = await api.call("POST", "/staff", "admin", json={
        "username": username, "display_name": "离岗客户经理", "roles": ["rm"], "unit": "SB01", "team": "T01",
        "password": "leaver-password"})
    assert r.status_code == 201, r.text
    headers = await sign_in(api, username, "leaver-password")
    assert 401 not in (await answers(api, headers)).values()

    r = await api.call("PATCH", f"/staff/{username}", "admin", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False

    await wait_for(lambda: refused_everywhere(api, headers), timeout=20, what="every door to refuse the leaver")
    r = await api.call("PATCH", f"/staff/{username}", "admin", json={"active": True})
    assert r.status_code == 200
    fresh = await sign_in(api, username, "leaver-password")   # reinstated: a new sign-in works again

    async def accepted():
        found = await answers(api, fresh)
        return found if 401 not in found.values() else None
    await wait_for(accepted, timeout=20, what="the reinstated user to be accepted again")

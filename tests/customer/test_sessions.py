"""Refresh-token rotation, reuse detection and logout."""
from sqlmodel import select

from services.customer.cli.seed import DEMO_PASSWORD
from shared.outbox import OutboxMessage


async def sign_in(api, username="rm02"):
    r = await api.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200
    return r.json()


async def test_refresh_gives_a_new_pair_and_the_old_refresh_token_works_once(customer_api):
    first = await sign_in(customer_api)
    r = await customer_api.post("/api/v1/auth/refresh", data={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"] and second["expires_in"] == 1800
    me = await customer_api.get("/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.json()["username"] == "rm02"


async def test_replaying_a_used_refresh_token_ends_the_whole_session(customer_api, customer_db):
    first = await sign_in(customer_api)
    second = (await customer_api.post("/api/v1/auth/refresh", data={"refresh_token": first["refresh_token"]})).json()
    replay = await customer_api.post("/api/v1/auth/refresh", data={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and replay.headers["content-type"] == "application/problem+json"
    # the thief's replay also voids the legitimate holder's newer token
    r = await customer_api.post("/api/v1/auth/refresh", data={"refresh_token": second["refresh_token"]})
    assert r.status_code == 401
    async with customer_db() as s:
        events = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == "session.revoked"))).all()
    assert any(e.payload["data"]["reason"] == "refresh_reuse" for e in events)


async def test_logout_revokes_refresh_and_announces_the_session(customer_api, customer_db):
    pair = await sign_in(customer_api, "lead01")
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await customer_api.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    r = await customer_api.post("/api/v1/auth/refresh", data={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 401
    async with customer_db() as s:
        events = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == "session.revoked",
                                                           OutboxMessage.key == "lead01"))).all()
    assert [e.payload["data"]["reason"] for e in events] == ["logout"]


async def test_unknown_refresh_token_is_401(customer_api):
    r = await customer_api.post("/api/v1/auth/refresh", data={"refresh_token": "x" * 43})
    assert r.status_code == 401

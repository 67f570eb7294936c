"""Sign-in and its lockout, refresh-token rotation, reuse detection and logout."""
import asyncio
import os
import threading

from sqlmodel import select

from services.customer.cli.seed import DEMO_PASSWORD
from services.customer.service import identity
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


async def test_eight_concurrent_refreshes_with_one_token_let_one_win_and_then_end_the_whole_session(customer_api):
    first = await sign_in(customer_api, "rm01")
    answers = await asyncio.gather(*(customer_api.post("/api/v1/auth/refresh",
                                                       data={"refresh_token": first["refresh_token"]})
                                     for _ in range(8)))
    assert sorted(r.status_code for r in answers) == [200] + [401] * 7
    [winner] = [r.json() for r in answers if r.status_code == 200]
    forked = await customer_api.post("/api/v1/auth/refresh", data={"refresh_token": winner["refresh_token"]})
    assert forked.status_code == 401   # the concurrent replays revoked the winner's new token as well


async def attempt(api, username, password, address):
    return await api.post("/api/v1/auth/token", data={"username": username, "password": password},
                          headers={"X-Forwarded-For": address, "Accept-Language": "en"})


async def test_forty_wrong_passwords_lock_the_account_so_the_right_one_then_gets_429_with_retry_after(customer_api):
    for n in range(40):
        r = await attempt(customer_api, "audit01", f"guess-{n}", "198.51.100.7")
        assert r.status_code in (401, 429)
    locked = await attempt(customer_api, "audit01", DEMO_PASSWORD, "203.0.113.9")   # from anywhere else too
    assert locked.status_code == 429 and locked.json()["code"] == "sign_in_locked"
    assert int(locked.headers["retry-after"]) >= 1
    for n in range(40):   # a name nobody has is locked just the same: the answers do not tell who exists
        await attempt(customer_api, "nobody-here", f"guess-{n}", "198.51.100.8")
    unknown = await attempt(customer_api, "nobody-here", DEMO_PASSWORD, "203.0.113.9")
    assert (unknown.status_code, unknown.json()["code"]) == (429, "sign_in_locked")
    assert int(unknown.headers["retry-after"]) >= 1 and unknown.json()["detail"] == locked.json()["detail"].replace(
        locked.headers["retry-after"], unknown.headers["retry-after"])


async def test_one_address_guessing_across_many_accounts_is_locked_but_other_addresses_still_sign_in(customer_api):
    answers = [await attempt(customer_api, f"someone{n}", "guess", "198.51.100.20") for n in range(60)]
    assert answers[0].status_code == 401 and answers[-1].status_code == 429
    assert (await attempt(customer_api, "risk01", DEMO_PASSWORD, "198.51.100.20")).status_code == 429
    assert (await attempt(customer_api, "risk01", DEMO_PASSWORD, "198.51.100.21")).status_code == 200


async def test_password_hashing_runs_in_the_hashing_pool_not_on_the_event_loop(customer_api, monkeypatch):
    threads = []

    def recording(password_hash, password):
        threads.append(threading.current_thread().name)
        return real(password_hash, password)
    real = identity.password_matches
    monkeypatch.setattr(identity, "password_matches", recording)
    assert (await attempt(customer_api, "branch01", DEMO_PASSWORD, "198.51.100.30")).status_code == 200
    assert (await attempt(customer_api, "no-such-user", "x", "198.51.100.30")).status_code == 401
    assert len(threads) == 2 and all(name.startswith("argon2") for name in threads)
    assert identity.HASHING._max_workers == os.cpu_count()

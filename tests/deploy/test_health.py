"""The probes Kubernetes calls: live while the process answers; ready only while its database and its
broker answer — on the service apps, the gateway, and the listener of the processes without HTTP."""
import asyncio
import json
import logging
import socket

import httpx
import pytest
from prometheus_client import Counter

from services.tasks.config import Settings
from services.tasks.main import create_app
from shared.db import make_engine
from shared.health import health_listener
from tests.support import running_app


def _closed_port() -> str:
    with socket.socket() as sock:   # bound and closed again: nothing listens there now
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="module")
async def tasks_url(databases):
    return await databases("tasks")


async def test_service_is_ready_when_database_and_broker_answer(tasks_url, kafka, jwt_keys):
    settings = Settings(database_url=tasks_url, kafka_bootstrap_servers=kafka, jwt_public_key_file=jwt_keys[1],
                        outbox_relay_enabled=False)
    async with running_app(create_app(settings)) as client:
        assert (await client.get("/livez")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "ok", "broker": "ok"}


async def test_service_is_not_ready_without_its_broker_but_stays_live(tasks_url, jwt_keys):
    settings = Settings(database_url=tasks_url, kafka_bootstrap_servers=_closed_port(),
                        jwt_public_key_file=jwt_keys[1], outbox_relay_enabled=False)
    async with running_app(create_app(settings)) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["database"] == "ok" and ready.json()["broker"] != "ok"
        assert (await client.get("/livez")).status_code == 200


async def test_service_is_not_ready_without_its_database(kafka, jwt_keys):
    settings = Settings(database_url=f"postgresql://nobody@{_closed_port()}/none", kafka_bootstrap_servers=kafka,
                        jwt_public_key_file=jwt_keys[1], outbox_relay_enabled=False)
    async with running_app(create_app(settings)) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["broker"] == "ok" and ready.json()["database"] != "ok"


async def test_gateway_probes_answer_without_a_token_through_its_front_door(monkeypatch, tmp_path, kafka):
    from services.gateway import main as gateway
    monkeypatch.setattr(gateway.settings, "kafka_bootstrap_servers", kafka)
    engine = make_engine(f"sqlite:///{tmp_path}/gateway.db")
    monkeypatch.setattr(gateway.api.state, "engine", engine, raising=False)   # what the lifespan would set
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.app), base_url="http://gw") as client:
            assert (await client.get("/livez")).status_code == 200
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            monkeypatch.setattr(gateway.settings, "kafka_bootstrap_servers", _closed_port())
            assert (await client.get("/readyz")).status_code == 503
    finally:
        await engine.dispose()


async def _get(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: probe\r\n\r\n".encode())
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_consumer_listener_serves_probes_and_the_process_metrics(tasks_url, kafka):
    applied = Counter("health_test_events_applied", "a metric the process registered")
    applied.inc(3)
    engine = make_engine(tasks_url)
    try:
        async with health_listener(Settings(database_url=tasks_url, kafka_bootstrap_servers=kafka, health_port=0),
                                   engine) as port:
            assert await _get(port, "/livez") == (200, b'{"status":"live"}')
            status, body = await _get(port, "/readyz")
            assert status == 200 and json.loads(body)["status"] == "ready"
            status, body = await _get(port, "/metrics")
            assert status == 200 and b"health_test_events_applied_total 3.0" in body
            assert (await _get(port, "/elsewhere"))[0] == 404
        with pytest.raises(OSError):   # closed with the block
            await _get(port, "/livez")
    finally:
        await engine.dispose()


async def test_consumer_listener_reports_the_broker_away(tasks_url):
    engine = make_engine(tasks_url)
    try:
        settings = Settings(database_url=tasks_url, kafka_bootstrap_servers=_closed_port(), health_port=0)
        async with health_listener(settings, engine) as port:
            status, body = await _get(port, "/readyz")
            assert status == 503 and json.loads(body)["broker"] != "ok"
    finally:
        await engine.dispose()


async def test_no_listener_without_a_health_port(tasks_url):
    engine = make_engine(tasks_url)
    async with health_listener(Settings(database_url=tasks_url), engine) as port:
        assert port is None
    await engine.dispose()


async def test_passing_probes_stay_out_of_the_access_log_and_failing_ones_are_logged(tasks_url, jwt_keys):
    settings = Settings(database_url=tasks_url, kafka_bootstrap_servers=_closed_port(),
                        jwt_public_key_file=jwt_keys[1], outbox_relay_enabled=False)
    records: list[logging.LogRecord] = []
    catch = logging.Handler()
    catch.emit = records.append
    access = logging.getLogger("tasks.access")   # the app's logging set-up replaces the root's handlers
    access.addHandler(catch)
    try:
        async with running_app(create_app(settings)) as client:
            await client.get("/livez")
            await client.get("/readyz")          # 503: the broker is away
    finally:
        access.removeHandler(catch)
    assert [r.fields["path"] for r in records] == ["/readyz"]

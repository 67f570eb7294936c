"""End-to-end: the real services, consumers and broker as separate processes, as `make run` starts them."""
import asyncio
from contextlib import asynccontextmanager, contextmanager

import asyncpg
import httpx
import pytest

from services.customer.cli.seed import DEMO_PASSWORD
from tests.conftest import RUN_ID
from tools.devstack import SERVICES, Stack, postgres_database_url


@contextmanager
def running_stack(backend: str, pg_server: str | None, tmp_path, name: str, **extra_env: str):
    if backend == "postgres":
        if not pg_server:
            pytest.skip("PostgreSQL not reachable on this machine (CI always has it)")
        urls = {s: postgres_database_url(pg_server, f"e_{RUN_ID}_{name}_{s}", recreate=True) for s in SERVICES}
        urls = {s: u.replace("postgresql://", "postgresql+asyncpg://") for s, u in urls.items()}
    else:
        urls = {s: f"sqlite+aiosqlite:///{tmp_path}/{s}.db" for s in SERVICES}
    stack = Stack(var=tmp_path / "var", database_urls=urls, extra_env=extra_env)
    try:
        stack.start_all()
        yield stack
    except Exception:
        for proc in list(stack.procs):
            print(f"--- {proc} ---\n{stack.log_tail(proc)}")
        raise
    finally:
        stack.stop_all()
        if pg_server and backend == "postgres":
            asyncio.run(_drop(pg_server, [u.rsplit("/", 1)[1] for u in urls.values()]))


async def _drop(server: str, names: list[str]) -> None:
    conn = await asyncpg.connect(server)
    for name in names:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


class Api:
    """The mobile app's view: the gateway, signed in."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.base = stack.url("gateway") + "/api/v1"
        self.tokens: dict[str, str] = {}
        self.signing_in: dict[str, asyncio.Lock] = {}

    async def headers(self, username: str, **extra) -> dict:
        # One sign-in per user however many calls start at once: concurrent password hashes on a busy
        # machine pushed the sign-in past the gateway's timeout.
        async with self.signing_in.setdefault(username, asyncio.Lock()):
            if username not in self.tokens:
                async with httpx.AsyncClient(timeout=10) as c:
                    r = await c.post(self.base + "/auth/token", data={"username": username, "password": DEMO_PASSWORD})
                    r.raise_for_status()
                    self.tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}", **extra}

    async def call(self, method: str, path: str, username: str | None = None, **kw) -> httpx.Response:
        headers = {**(await self.headers(username) if username else {}), **kw.pop("headers", {})}
        async with httpx.AsyncClient(timeout=30) as c:
            return await c.request(method, self.base + path, headers=headers, **kw)

    async def tasks_of(self, username: str, cif: str) -> list[dict]:
        r = await self.call("GET", "/tasks?limit=200", username)
        return [t for t in r.json()["items"] if t["cif"] == cif]


@asynccontextmanager
async def stack_from_async(backend: str, pg_server: str | None, tmp_path, name: str):
    """running_stack for async tests."""
    async with entered_in_thread(running_stack(backend, pg_server, tmp_path, name)) as stack:
        yield stack


@asynccontextmanager
async def entered_in_thread(manager):
    """A stack's context manager for async tests: starting and stopping block, so they run in a thread."""
    stack = await asyncio.to_thread(manager.__enter__)
    try:
        yield stack
    except BaseException as err:
        if not await asyncio.to_thread(manager.__exit__, type(err), err, err.__traceback__):
            raise
    else:
        await asyncio.to_thread(manager.__exit__, None, None, None)

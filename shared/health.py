"""Liveness and readiness of every process, as Kubernetes probes them.

Live: the process's event loop answers (a wedged process is restarted). Ready: its database and its
broker answer now (a pod that cannot reach them gets no traffic and, for consumers, tells the operator
why lag grows). The HTTP apps mount `/livez` and `/readyz` with `add_probes`; the consumers and the
scheduler have no HTTP server, so `health_listener` gives them a small one on `HEALTH_PORT` that also
serves `/metrics` (the process's Prometheus registry) for the scraper.
"""
import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiokafka.client import AIOKafkaClient
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.settings import ServiceSettings

log = logging.getLogger("health")
CHECK_SECONDS = 2.0   # under the probes' 3 s timeout: a slow dependency reads as "not ready", not a timeout


async def database_problem(engine: AsyncEngine) -> str | None:
    """None when the database answers a query, else why not."""
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        return None
    except Exception as err:  # noqa: BLE001 - a probe reports, never raises
        return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


async def broker_problem(bootstrap_servers: str) -> str | None:
    """None when a bootstrap broker answers a metadata request, else why not."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=int(CHECK_SECONDS * 1000))
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await client.bootstrap()
        return None
    except Exception as err:  # noqa: BLE001 - a probe reports, never raises
        return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    finally:
        await client.close()


async def readiness(engine: AsyncEngine, bootstrap_servers: str) -> tuple[bool, dict]:
    """(ready, body): both dependencies checked at once, each named with "ok" or its problem."""
    db, broker = await asyncio.gather(database_problem(engine), broker_problem(bootstrap_servers))
    body = {"database": db or "ok", "broker": broker or "ok"}
    ready = db is None and broker is None
    return ready, {"status": "ready" if ready else "not ready", **body}


def add_probes(app: FastAPI, engine_of: Callable[[Request], AsyncEngine], settings: ServiceSettings) -> None:
    """`/livez` and `/readyz` on an HTTP app; `engine_of` finds the app's engine (set in its lifespan)."""

    @app.get("/livez", include_in_schema=False)
    async def livez():
        return {"status": "live"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request):
        ready, body = await readiness(engine_of(request), settings.kafka_bootstrap_servers)
        return JSONResponse(body, status_code=200 if ready else 503)


async def _answer(engine: AsyncEngine, bootstrap_servers: str, path: str) -> tuple[int, str, bytes]:
    if path == "/livez":
        return 200, "application/json", b'{"status":"live"}'
    if path == "/readyz":
        ready, body = await readiness(engine, bootstrap_servers)
        return 200 if ready else 503, "application/json", json.dumps(body).encode()
    if path == "/metrics":
        return 200, CONTENT_TYPE_LATEST, generate_latest()
    return 404, "text/plain", b"not found"


@asynccontextmanager
async def health_listener(settings: ServiceSettings, engine: AsyncEngine) -> AsyncIterator[int | None]:
    """Serve /livez, /readyz and /metrics on settings.health_port while the block runs (yields the port
    bound; 0 picks a free one). With no HEALTH_PORT set (make run, tests) nothing listens: yields None."""
    if settings.health_port is None:
        yield None
        return

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(CHECK_SECONDS * 2):
                request_line = await reader.readline()
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass   # headers: nothing in them changes the answer
                parts = request_line.decode("latin-1").split()
                path = parts[1].split("?", 1)[0] if len(parts) >= 2 else ""
                status, content_type, body = await _answer(engine, settings.kafka_bootstrap_servers, path)
                reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
                writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                             f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.TimeoutError, ConnectionError) as err:
            log.debug("health request dropped: %s", err)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host="0.0.0.0", port=settings.health_port)
    port = server.sockets[0].getsockname()[1]
    log.info("health and metrics on :%d", port)
    try:
        yield port
    finally:
        server.close()
        await server.wait_closed()

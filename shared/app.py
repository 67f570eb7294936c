"""One way to build a service's FastAPI app: settings, DB, outbox relay, errors, request ids, health."""
import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import faults, idempotency, metrics, problem_docs, revocation, tracing
from shared.db import make_engine, make_session_factory
from shared.errors import install_error_handlers
from shared.health import add_probes
from shared.kafka import ensure_topics, make_producer
from shared.logging import RequestContextMiddleware, configure_logging
from shared.outbox import OutboxRelay
from shared.query_guard import refuse_unknown_query
from shared.runtime import settle_gc
from shared.settings import ServiceSettings
from shared.text_guard import TextGuardMiddleware

log = logging.getLogger("app")


def operation_id(route: APIRoute) -> str:
    """Stable ids (`tag-name`) so generated mobile clients keep their method names."""
    return f"{route.tags[0] if route.tags else 'default'}-{route.name}"


async def _run_relay(app: FastAPI, settings: ServiceSettings) -> None:
    """Start publishing once the broker answers; until then writes still commit into the outbox."""
    while True:
        try:
            await ensure_topics(settings)
            producer = make_producer(settings)
            await producer.start()
            break
        except Exception as err:  # noqa: BLE001 - broker away at start-up is normal; keep trying
            log.warning("broker unavailable for the outbox relay (%s); retrying", err)
            await asyncio.sleep(2)
    try:
        app.state.relay.producer = producer
        await app.state.relay.run()
    finally:
        await producer.stop()


def create_service_app(settings: ServiceSettings, *, title: str, routers: list[APIRouter],
                       on_startup: Callable | None = None,
                       problems: dict[str, tuple[int, ...]] | None = None) -> FastAPI:
    """`problems`: the service's problem answers per operationId (its problems.py), for the OpenAPI."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        tracing.setup(settings.service_name)
        app.state.settings = settings
        app.state.engine = make_engine(settings.database_url)
        tracing.instrument_engine(app.state.engine, settings.service_name)
        app.state.sessions = make_session_factory(app.state.engine)
        app.state.relay = OutboxRelay(app.state.sessions, None, settings.outbox_poll_seconds, service=settings.service_name)
        faults.install_in_relay(app.state.relay)
        relay = asyncio.create_task(_run_relay(app, settings)) if settings.outbox_relay_enabled else None
        feed = asyncio.create_task(revocation.follow(settings, app.state.denylist)) \
            if settings.revocation_consumer_enabled else None
        outbox_gauges = asyncio.create_task(metrics.follow_outbox(app.state.sessions, settings.service_name))
        exposition = metrics.serve(settings.metrics_port, settings.metrics_host) if settings.metrics_port else None
        cleanup = await on_startup(app) if on_startup else None   # may return what to await at shutdown
        settle_gc()
        yield
        for task in (relay, feed, outbox_gauges):
            if task:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if exposition:
            exposition.shutdown()
        if cleanup:
            await cleanup()
        await app.state.engine.dispose()
        tracing.shutdown()

    app = FastAPI(title=title, lifespan=lifespan, generate_unique_id_function=operation_id,
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
                  dependencies=[Depends(refuse_unknown_query)])   # every route: undeclared query → 422
    app.state.settings = settings
    app.state.denylist = revocation.Denylist()
    install_error_handlers(app)
    app.add_middleware(idempotency.IdempotencyMiddleware)
    app.add_middleware(TextGuardMiddleware)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.add_middleware(tracing.TracingMiddleware, service=settings.service_name)   # outermost: spans the whole request
    for router in routers:
        app.include_router(router, prefix="/api/v1")

    @app.get("/healthz", tags=["health"], include_in_schema=False)
    async def healthz(request: Request):
        try:
            async with request.app.state.sessions() as session:
                await session.execute(text("SELECT 1"))
            return {"status": "ok", "service": settings.service_name}
        except Exception as err:  # noqa: BLE001 - health reports, never raises
            from fastapi.responses import JSONResponse
            return JSONResponse({"status": "degraded", "service": settings.service_name, "database": str(err)},
                                status_code=503)

    add_probes(app, lambda request: request.app.state.engine, settings)
    with_problems(app, problems or {})
    return app


def with_problems(app: FastAPI, answers: dict[str, tuple[int, ...]]) -> None:
    """The app's OpenAPI documents each operation's problem answers (shared.problem_docs)."""
    plain = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = problem_docs.document(plain(), answers)
        return app.openapi_schema
    app.openapi = openapi  # type: ignore[method-assign]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        if claim := idempotency.claim_of(request.scope):
            idempotency.record_with_commit(session, claim)
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def events_written(request: Request) -> None:
    """Call after a commit that staged outbox rows: wakes the relay now instead of at the next poll."""
    request.app.state.relay.notify()

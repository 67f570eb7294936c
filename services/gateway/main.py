"""The gateway's HTTP app: `uvicorn services.gateway.main:app` — the one REST API at /api/v1.

Wiring only: the front door (size, token, revocation, rate limits, security headers), CORS, request
ids, then gateway-owned routes (home, health, OpenAPI) and forwarding for everything else.
"""
import asyncio
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Literal

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.gateway import home, openapi, overview
from services.gateway.config import Settings
from services.gateway.forwarder import METHODS, Forwarder
from services.gateway.frontdoor import Cors, FrontDoor
from services.gateway.idempotency import IdempotencyStore
from services.gateway.identity import TokenVerifier
from services.gateway.ratelimit import RateLimiter
from services.gateway.upstreams import Upstreams
from services.gateway.webapp import WebApp
from shared import metrics, revocation, tracing
from shared.app import operation_id
from shared.clock import utcnow
from shared.db import make_engine
from shared.errors import install_error_handlers
from shared.health import add_probes
from shared.logging import RequestContextMiddleware, configure_logging
from shared.query_guard import refuse_unknown_query
from shared.runtime import settle_gc

settings = Settings()
denylist = revocation.Denylist()


async def _purge_idempotency_keys(store: IdempotencyStore) -> None:
    while True:
        await asyncio.sleep(3600)
        with suppress(Exception):   # a failed purge is retried next hour; rows only take space
            await store.purge(utcnow())


@asynccontextmanager
async def lifespan(app: FastAPI):
    configure_logging(settings.service_name, settings.log_level)
    tracing.setup(settings.service_name)
    app.state.upstreams = Upstreams(settings)
    app.state.engine = make_engine(settings.database_url)
    tracing.instrument_engine(app.state.engine, settings.service_name)
    app.state.idempotency = IdempotencyStore(app.state.engine, timedelta(hours=settings.idempotency_ttl_hours))
    app.state.openapi_doc = None
    tasks = [asyncio.create_task(_purge_idempotency_keys(app.state.idempotency)),
             asyncio.create_task(openapi.follow_routes(app.state.upstreams.client, settings.upstreams()))]
    exposition = metrics.serve(settings.metrics_port, settings.metrics_host) if settings.metrics_port else None
    if settings.revocation_consumer_enabled:
        tasks.append(asyncio.create_task(revocation.follow(settings, denylist)))
    settle_gc()
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await app.state.upstreams.close()
    await app.state.engine.dispose()
    tracing.shutdown()
    if exposition:
        exposition.shutdown()


# The gateway's own routes; service paths are answered by the Forwarder before they reach FastAPI.
api = FastAPI(title="RM workbench API (客户经理工作平台)", version="1", lifespan=lifespan,
              generate_unique_id_function=operation_id, openapi_url=None, docs_url=None, redoc_url=None,
              dependencies=[Depends(refuse_unknown_query)])
install_error_handlers(api)
api.include_router(home.router)
api.include_router(overview.router)
add_probes(api, lambda request: request.app.state.engine, settings)
# Outermost first: the mobile web app's files at / (the rest passes on) → request id and access log → the
# trace (the caller's traceparent or a new one; inside the log's context, so it sees the route label) →
# CORS (so even refusals are readable by the app) → size, token, revocation, rate limits → service paths
# forwarded, the rest to FastAPI.
app = WebApp(RequestContextMiddleware(tracing.TracingMiddleware(Cors(
    FrontDoor(Forwarder(api, settings.max_page_limit),
              verifier=TokenVerifier(settings.jwt_public_key_file, settings.jwt_issuer, settings.jwt_audience, denylist),
              per_ip=RateLimiter(settings.rate_ip_per_second, settings.rate_ip_burst),
              per_user=RateLimiter(settings.rate_user_per_second, settings.rate_user_burst),
              max_body=settings.max_body_bytes),
    allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
    allow_methods=sorted(METHODS), max_age=600,
    allow_headers=["Authorization", "Content-Type", "Accept-Language", "Idempotency-Key", "If-None-Match",
                   "X-Request-ID"],
    expose_headers=["ETag", "Retry-After", "X-Request-ID", "Idempotent-Replayed"]), settings.service_name),
    service=settings.service_name))


class UpstreamHealth(BaseModel):
    status: Literal["ok", "degraded", "down"]
    breaker: str = Field(description="the circuit breaker's state: closed, open or half_open")
    http_status: int | None = Field(default=None, description="what the service's /healthz answered")
    error: str | None = Field(default=None, description="why it could not be reached")


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    gateway: Literal["ok"]
    upstreams: dict[str, UpstreamHealth]


@api.get("/api/v1/healthz", tags=["health"], response_model=Health,
         responses={503: {"description": "an upstream is degraded or down", "model": Health}})
async def healthz(request: Request):
    """The gateway and each upstream: ok / degraded / down."""
    results = await request.app.state.upstreams.health()
    healthy = all(r["status"] == "ok" for r in results.values())
    return JSONResponse({"status": "ok" if healthy else "degraded", "gateway": "ok", "upstreams": results},
                        status_code=200 if healthy else 503)


@api.get("/api/v1/openapi.json", include_in_schema=False)
async def merged_openapi(request: Request):
    if request.app.state.openapi_doc is None:
        client = request.app.state.upstreams.client
        docs = await asyncio.gather(*(openapi.fetch(client, u) for u in settings.upstreams().values()))
        merged = openapi.merge(openapi.gateway_doc(api), {n: d for n, d in zip(settings.upstreams(), docs, strict=True) if d})
        if all(docs):  # cache only a complete document
            request.app.state.openapi_doc = merged
        return merged
    return request.app.state.openapi_doc

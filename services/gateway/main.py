"""The gateway's HTTP app: `uvicorn services.gateway.main:app` — the one REST API at /api/v1.

Wiring only: the front door (size, token, revocation, rate limits, security headers), CORS, request
ids, then gateway-owned routes (home, health, OpenAPI, metrics) and forwarding for everything else.
"""
import asyncio
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from services.gateway import home, metrics, openapi, revocation
from services.gateway.config import Settings
from services.gateway.frontdoor import GATEWAY_PATHS, FrontDoor
from services.gateway.idempotency import IdempotencyStore, once
from services.gateway.identity import Denylist, TokenVerifier
from services.gateway.proxy import forward
from services.gateway.ratelimit import RateLimiter
from services.gateway.routing import check_page_limit, upstream_for
from services.gateway.upstreams import Upstreams
from shared.app import operation_id
from shared.clock import utcnow
from shared.db import make_engine
from shared.errors import install_error_handlers, problem_response
from shared.logging import RequestContextMiddleware, configure_logging

settings = Settings()
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
NOT_REMEMBERED = ("/api/v1/auth/",)   # token answers are secrets: never stored for replay
denylist = Denylist()


async def _purge_idempotency_keys(store: IdempotencyStore) -> None:
    while True:
        await asyncio.sleep(3600)
        with suppress(Exception):   # a failed purge is retried next hour; rows only take space
            await store.purge(utcnow())


@asynccontextmanager
async def lifespan(app: FastAPI):
    configure_logging(settings.service_name, settings.log_level)
    app.state.upstreams = Upstreams(settings)
    app.state.engine = make_engine(settings.database_url)
    app.state.idempotency = IdempotencyStore(app.state.engine, timedelta(hours=settings.idempotency_ttl_hours))
    app.state.openapi_doc = None
    tasks = [asyncio.create_task(_purge_idempotency_keys(app.state.idempotency))]
    if settings.revocation_consumer_enabled:
        tasks.append(asyncio.create_task(revocation.follow(settings, denylist)))
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await app.state.upstreams.close()
    await app.state.engine.dispose()


app = FastAPI(title="RM workbench API (客户经理工作平台)", version="1", lifespan=lifespan,
              generate_unique_id_function=operation_id, openapi_url=None, docs_url=None, redoc_url=None)
install_error_handlers(app)
app.add_middleware(FrontDoor, verifier=TokenVerifier(settings.jwt_public_key_file, settings.jwt_issuer,
                                                     settings.jwt_audience, denylist),
                   per_ip=RateLimiter(settings.rate_ip_per_second, settings.rate_ip_burst),
                   per_user=RateLimiter(settings.rate_user_per_second, settings.rate_user_burst),
                   max_body=settings.max_body_bytes)
app.add_middleware(CORSMiddleware, allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
                   allow_methods=METHODS, max_age=600,
                   allow_headers=["Authorization", "Content-Type", "Accept-Language", "Idempotency-Key",
                                  "If-None-Match", "X-Request-ID"],
                   expose_headers=["ETag", "Retry-After", "X-Request-ID", "Idempotent-Replayed"])
app.add_middleware(RequestContextMiddleware, service=settings.service_name)
app.include_router(home.router)


@app.get("/api/v1/healthz", tags=["health"])
async def healthz(request: Request):
    """The gateway and each upstream: ok / degraded / down."""
    results = await request.app.state.upstreams.health()
    healthy = all(r["status"] == "ok" for r in results.values())
    return JSONResponse({"status": "ok" if healthy else "degraded", "gateway": "ok", "upstreams": results},
                        status_code=200 if healthy else 503)


@app.get("/metrics", include_in_schema=False)
async def prometheus_metrics():
    return metrics.exposition()


@app.get("/api/v1/openapi.json", include_in_schema=False)
async def merged_openapi(request: Request):
    if request.app.state.openapi_doc is None:
        client = request.app.state.upstreams.client
        docs = await asyncio.gather(*(openapi.fetch(client, u) for u in settings.upstreams().values()))
        merged = openapi.merge(openapi.gateway_doc(app), {n: d for n, d in zip(settings.upstreams(), docs) if d})
        if all(docs):  # cache only a complete document
            request.app.state.openapi_doc = merged
        return merged
    return request.app.state.openapi_doc


@app.api_route("/api/v1/{path:path}", methods=METHODS, include_in_schema=False)
async def route_to_service(request: Request, path: str):
    if request.url.path in GATEWAY_PATHS:   # a gateway route asked with the wrong method
        return problem_response(request, 405, "method_not_allowed")
    service = upstream_for(request.url.path)
    if service is None:
        return problem_response(request, 404, "route_not_found")
    if request.method == "GET" and (bad := check_page_limit(request, settings.max_page_limit)):
        return bad
    body = await request.body()
    upstreams = request.app.state.upstreams
    key = request.headers.get("idempotency-key")
    if request.method != "POST" or key is None or request.url.path.startswith(NOT_REMEMBERED):
        return await forward(request, upstreams, service, body)
    principal = request.scope.get("principal")
    owner = principal.username if principal else "ip:" + (request.client.host if request.client else "-")
    return await once(request, request.app.state.idempotency, owner, key, body,
                      lambda: forward(request, upstreams, service, body))

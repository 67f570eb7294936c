"""The gateway's HTTP app: `uvicorn services.gateway.main:app` — one REST API at /api/v1."""
import asyncio
from contextlib import asynccontextmanager

import aiohttp
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.gateway import openapi
from services.gateway.config import Settings
from services.gateway.proxy import forward, make_client
from services.gateway.routing import upstream_for
from shared.app import operation_id
from shared.errors import install_error_handlers, problem_response
from shared.logging import RequestContextMiddleware, configure_logging

settings = Settings()
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@asynccontextmanager
async def lifespan(app: FastAPI):
    configure_logging(settings.service_name, settings.log_level)
    app.state.client = make_client(settings.max_connections_per_upstream, settings.connect_timeout_seconds,
                                   settings.upstream_timeout_seconds)
    app.state.openapi_doc = None
    yield
    await app.state.client.close()


app = FastAPI(title="RM workbench API (客户经理工作平台)", version="1", lifespan=lifespan,
              generate_unique_id_function=operation_id, openapi_url=None, docs_url=None, redoc_url=None)
install_error_handlers(app)
app.add_middleware(RequestContextMiddleware, service=settings.service_name)


async def _probe(client: aiohttp.ClientSession, name: str, url: str) -> tuple[str, dict]:
    try:
        async with client.get(url + "/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
            return name, {"status": "ok" if r.status == 200 else "degraded", "http_status": r.status}
    except (aiohttp.ClientError, asyncio.TimeoutError) as err:
        return name, {"status": "down", "error": type(err).__name__}


@app.get("/api/v1/healthz", tags=["health"])
async def healthz(request: Request):
    """The gateway and each upstream: ok / degraded / down."""
    results = dict(await asyncio.gather(*(_probe(request.app.state.client, n, u)
                                          for n, u in settings.upstreams().items())))
    healthy = all(r["status"] == "ok" for r in results.values())
    return JSONResponse({"status": "ok" if healthy else "degraded", "gateway": "ok", "upstreams": results},
                        status_code=200 if healthy else 503)


def _gateway_doc() -> dict:
    from fastapi.openapi.utils import get_openapi
    return get_openapi(title=app.title, version=app.version, routes=app.routes, servers=[{"url": "/"}])


@app.get("/api/v1/openapi.json", include_in_schema=False)
async def merged_openapi(request: Request):
    if request.app.state.openapi_doc is None:
        client = request.app.state.client
        docs = await asyncio.gather(*(openapi.fetch(client, u) for u in settings.upstreams().values()))
        merged = openapi.merge(_gateway_doc(), {n: d for n, d in zip(settings.upstreams(), docs) if d})
        if all(docs):  # cache only a complete document
            request.app.state.openapi_doc = merged
        return merged
    return request.app.state.openapi_doc


@app.api_route("/api/v1/{path:path}", methods=METHODS, include_in_schema=False)
async def route_to_service(request: Request, path: str):
    service = upstream_for(request.url.path)
    if service is None:
        return problem_response(request, 404, "route_not_found")
    return await forward(request, request.app.state.client, service, settings.upstreams()[service])

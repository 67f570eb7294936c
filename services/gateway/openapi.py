"""One OpenAPI document for the mobile apps, merged from the gateway's and the services' own documents,
plus what the gateway adds to every operation (Idempotency-Key on POST, the answers it gives itself)."""
import asyncio
import copy

import aiohttp

from services.gateway import metrics
from services.gateway.routing import upstream_for
from shared.problem_docs import PROBLEM_CONTENT, PROBLEM_SCHEMA, document

IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "a retry with the same key returns the first response and does not act twice",
                   "schema": {"type": "string", "maxLength": 255}}
PROBLEM = {"content": PROBLEM_CONTENT}
GATEWAY_ANSWERS = {
    "413": {"description": "request body too large", **PROBLEM},
    "429": {"description": "rate limited; see Retry-After", **PROBLEM},
    "503": {"description": "the service behind this call is unavailable; see Retry-After", **PROBLEM},
}
GATEWAY_OWNED_SECURED = {"/api/v1/me/home", "/api/v1/customers/{customer_id}/overview"}


def gateway_doc(app) -> dict:
    """The gateway's own routes (home, health) as a document to merge the services' into."""
    from fastapi.openapi.utils import get_openapi

    from services.gateway.problems import ANSWERS
    return document(get_openapi(title=app.title, version=app.version, routes=app.routes, servers=[{"url": "/"}]),
                    ANSWERS)


async def fetch(client: aiohttp.ClientSession, base_url: str) -> dict | None:
    try:
        async with client.get(base_url + "/openapi.json", timeout=aiohttp.ClientTimeout(total=3)) as r:
            return await r.json() if r.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return None


async def follow_routes(client: aiohttp.ClientSession, upstreams: dict[str, str]) -> None:
    """Keeps the metrics' route templates to the services' documents: every second until each has
    answered, then every five minutes (a redeployed service may have added routes)."""
    known: dict[str, list[str]] = {}
    while True:
        docs = await asyncio.gather(*(fetch(client, url) for url in upstreams.values()))
        known.update({name: list(doc.get("paths", {})) for name, doc in zip(upstreams, docs, strict=True) if doc})
        metrics.learn_routes(path for paths in known.values() for path in paths)
        await asyncio.sleep(300 if len(known) == len(upstreams) else 1)


def _decorate(path: str, item: dict, bearer: str | None) -> dict:
    item = copy.deepcopy(item)
    for method, op in item.items():
        if not isinstance(op, dict):
            continue
        if method == "post":
            op.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
        for status, answer in GATEWAY_ANSWERS.items():
            op.setdefault("responses", {}).setdefault(status, answer)
        if bearer and path in GATEWAY_OWNED_SECURED:
            op.setdefault("security", [{bearer: []}])
    return item


def merge(gateway_doc: dict, service_docs: dict[str, dict]) -> dict:
    """Paths come from the service that the gateway routes them to, except those the gateway composes
    itself; schemas are shared by name (the services define the same Problem/validation schemas; a
    clash keeps the first)."""
    own = set(gateway_doc.get("paths", {}))
    paths = dict(gateway_doc.get("paths", {}))
    schemas = dict(gateway_doc.get("components", {}).get("schemas", {}))
    security = dict(gateway_doc.get("components", {}).get("securitySchemes", {}))
    for service, doc in service_docs.items():
        for path, item in doc.get("paths", {}).items():
            if upstream_for(path) == service and path not in own:
                paths[path] = item
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(name, schema)
        security.update(doc.get("components", {}).get("securitySchemes", {}))
    schemas.setdefault("Problem", PROBLEM_SCHEMA)
    bearer = next(iter(security), None)
    return {**gateway_doc, "paths": {p: _decorate(p, item, bearer) for p, item in paths.items()},
            "components": {"schemas": schemas, "securitySchemes": security}}

"""One OpenAPI document for the mobile apps, merged from the services' own documents."""
import asyncio

import aiohttp

from services.gateway.routing import upstream_for


async def fetch(client: aiohttp.ClientSession, base_url: str) -> dict | None:
    try:
        async with client.get(base_url + "/openapi.json", timeout=aiohttp.ClientTimeout(total=3)) as r:
            return await r.json() if r.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return None


def merge(gateway_doc: dict, service_docs: dict[str, dict]) -> dict:
    """Paths come from the service that the gateway routes them to; schemas are shared by name
    (the services define the same Problem/validation schemas; a clash keeps the first)."""
    merged = {**gateway_doc, "paths": dict(gateway_doc.get("paths", {}))}
    schemas = dict(gateway_doc.get("components", {}).get("schemas", {}))
    security = dict(gateway_doc.get("components", {}).get("securitySchemes", {}))
    for service, doc in service_docs.items():
        for path, item in doc.get("paths", {}).items():
            if upstream_for(path) == service:
                merged["paths"][path] = item
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(name, schema)
        security.update(doc.get("components", {}).get("securitySchemes", {}))
    merged["components"] = {"schemas": schemas, "securitySchemes": security}
    return merged

"""Everything under /api/v1 that a service answers, dispatched straight over ASGI.

The hot path of the gateway: profiling showed FastAPI's routing, dependency and middleware machinery
costing more than the forwarding itself, so service paths never enter the framework. Only the
gateway's own routes (home, health, OpenAPI, metrics) go on to the FastAPI app.
"""
import logging

from starlette.requests import Request

from services.gateway.frontdoor import GATEWAY_PATHS, BodyTooLarge
from services.gateway.idempotency import once
from services.gateway.proxy import forward
from services.gateway.routing import check_page_limit, upstream_for
from shared.errors import problem_response

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
NOT_REMEMBERED = ("/api/v1/auth/",)   # token answers are secrets: never stored for replay
log = logging.getLogger("gateway.forwarder")


class Forwarder:
    def __init__(self, api, max_page_limit: int):
        self.api, self.max_page_limit = api, max_page_limit

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/v1/") or path in GATEWAY_PATHS:
            return await self.api(scope, receive, send)
        request = Request(scope, receive)
        try:
            response = await self._answer(request, path)
        except BodyTooLarge:
            raise   # the front door answers 413
        except Exception:  # noqa: BLE001 - whatever broke, the app still gets problem+json
            log.exception("unhandled error forwarding %s %s", scope["method"], path)
            response = problem_response(request, 500, "internal")
        await response(scope, receive, send)

    async def _answer(self, request: Request, path: str):
        service = upstream_for(path)
        if service is None:
            return problem_response(request, 404, "route_not_found")
        if request.method not in METHODS:
            return problem_response(request, 405, "method_not_allowed")
        if request.method == "GET" and (bad := check_page_limit(request, self.max_page_limit)):
            return bad
        body = await request.body()
        state = self.api.state
        key = request.headers.get("idempotency-key")
        if request.method != "POST" or key is None or path.startswith(NOT_REMEMBERED):
            return await forward(request, state.upstreams, service, body)
        principal = request.scope.get("principal")
        owner = principal.username if principal else "ip:" + (request.client.host if request.client else "-")
        return await once(request, state.idempotency, owner, key, body,
                          lambda: forward(request, state.upstreams, service, body))

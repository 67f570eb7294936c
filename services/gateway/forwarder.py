"""Everything under /api/v1 that a service answers, dispatched straight over ASGI.

The hot path of the gateway: profiling showed FastAPI's routing, dependency and middleware machinery
costing more than the forwarding itself, so service paths never enter the framework; and a plain
forward sends the service's status, headers and body as two ASGI messages, without Request or
Response objects. Only the gateway's own routes (home, health, OpenAPI) go on to FastAPI.
"""
import logging

from starlette.requests import ClientDisconnect, Request

from services.gateway.frontdoor import BodyTooLarge, gateway_route
from services.gateway.idempotency import once
from services.gateway.proxy import forward, relay, unavailable
from services.gateway.routing import check_page_limit, upstream_for
from services.gateway.upstreams import UpstreamUnavailable
from shared.errors import problem_response
from shared.idempotency import NOT_REMEMBERED

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
log = logging.getLogger("gateway.forwarder")


async def read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class Forwarder:
    def __init__(self, api, max_page_limit: int):
        self.api, self.max_page_limit = api, max_page_limit

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/v1/") or gateway_route(path):
            return await self.api(scope, receive, send)
        try:
            answer = await self._answer(scope, receive, path)
        except BodyTooLarge:
            raise   # the front door answers 413
        except Exception:  # noqa: BLE001 - whatever broke, the app still gets problem+json
            log.exception("unhandled error forwarding %s %s", scope["method"], path)
            answer = problem_response(Request(scope), 500, "internal")
        if isinstance(answer, tuple):
            status, headers, content = answer
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})
        else:
            await answer(scope, receive, send)

    async def _answer(self, scope, receive, path: str):
        """A plain forward's (status, headers, body); anything else as a Response."""
        service = upstream_for(path)
        method = scope["method"]
        if service is None:
            return problem_response(Request(scope), 404, "route_not_found")
        if method not in METHODS:
            return problem_response(Request(scope), 405, "method_not_allowed")
        qs = scope["query_string"]
        if method == "GET" and (b"limit" in qs or b"%" in qs) and (
                bad := check_page_limit(Request(scope), self.max_page_limit)):
            return bad
        body = await read_body(receive)
        state = self.api.state
        key, principal = None, scope.get("principal")
        # Keys are remembered for signed-in callers only: a tokenless POST is refused by the service
        # anyway, and remembering its key would let anyone add a stored row per request.
        if method == "POST" and principal is not None and not path.startswith(NOT_REMEMBERED):
            key = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"idempotency-key"), None)
        if key is None:
            try:
                return await relay(scope, state.upstreams, service, body)
            except UpstreamUnavailable as err:
                return unavailable(Request(scope), err)
        request = Request(scope)
        return await once(request, state.idempotency, principal.username, key, body,
                          lambda: forward(request, state.upstreams, service, body))

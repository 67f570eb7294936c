"""The checks every request passes before any routing: body size (413), the bearer token and its
revocation (401), per-IP and per-user rate limits (429), security headers on every answer, metrics.

Pure ASGI, one layer: it sits on the hot path of every forwarded request, so it does no work that a
request does not need (no BaseHTTPMiddleware, no body buffering, a cached token check).
"""
import math
import re
import time

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request

from services.gateway import metrics
from services.gateway.identity import TokenVerifier
from services.gateway.ratelimit import RateLimiter
from shared.errors import Problem, problem_response, register_messages
from shared.logging import route_var, user_var

register_messages({
    "too_large": ("请求内容过大（上限 {limit} 字节）", "Request body too large (limit {limit} bytes)"),
    "rate_limited": ("请求过于频繁，请 {seconds} 秒后重试", "Too many requests; retry in {seconds} s"),
})
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]
SIGN_IN_PATHS = ("/api/v1/auth/token", "/api/v1/auth/refresh")
GATEWAY_PATHS = frozenset({"/api/v1/healthz", "/api/v1/openapi.json", "/api/v1/me/home", "/livez", "/readyz"})
# the gateway's own templated routes (composed answers under a service's prefix), by template
GATEWAY_TEMPLATES = {"/api/v1/customers/{customer_id}/overview": re.compile(r"^/api/v1/customers/[^/]+/overview$")}


def gateway_route(path: str) -> str | None:
    """The gateway's own route this path is (a bounded label: the path or its template), else None."""
    if path in GATEWAY_PATHS:
        return path
    return next((template for template, pattern in GATEWAY_TEMPLATES.items() if pattern.match(path)), None)


class BodyTooLarge(Exception):
    pass


class FrontDoor:
    def __init__(self, app, verifier: TokenVerifier, per_ip: RateLimiter, per_user: RateLimiter, max_body: int):
        self.app, self.verifier, self.per_ip, self.per_user, self.max_body = app, verifier, per_ip, per_user, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        path = scope["path"]
        route = gateway_route(path) or metrics.route_label(path, False)
        route_var.set(route)
        status = 500

        async def send_secured(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                return await refusal(scope, receive, send_secured)
            await self.app(scope, self._limited(receive), send_secured)
        except BodyTooLarge:
            await self._too_large(scope)(scope, receive, send_secured)
        finally:
            metrics.observe(scope["method"], route, status, time.perf_counter() - started)

    def _refusal(self, scope):
        """A response for a request that must not go further, else None. Sets scope['principal']."""
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length and length.isdigit() and int(length) > self.max_body:
            return self._too_large(scope)
        scope["principal"] = None
        # Per address first: requests with forged tokens count as well, and cost no RSA check once over.
        wait = self.per_ip.take(scope["client"][0] if scope.get("client") else "-")
        if wait:
            return self._rate_limited(scope, wait)
        auth = headers.get(b"authorization", b"")
        if auth[:7].lower() == b"bearer ":
            try:
                scope["principal"] = self.verifier.principal(auth[7:].decode("latin-1").strip())
                user_var.set(scope["principal"].username)
            except Problem as problem:
                # An app may send its stale bearer along when it signs in again or refreshes: let it.
                if not scope["path"].startswith(SIGN_IN_PATHS):
                    return problem_response(Request(scope), problem.status, problem.code, headers=problem.headers)
        if scope["principal"] is not None and (wait := self.per_user.take(scope["principal"].username)):
            return self._rate_limited(scope, wait)
        return None

    def _rate_limited(self, scope, wait: float):
        seconds = max(1, math.ceil(wait))
        return problem_response(Request(scope), 429, "rate_limited", headers={"Retry-After": str(seconds)},
                                seconds=seconds)

    def _limited(self, receive):
        """Chunked bodies carry no Content-Length: count while reading and stop at the limit."""
        seen = 0

        async def receive_limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise BodyTooLarge
            return message
        return receive_limited

    def _too_large(self, scope):
        return problem_response(Request(scope), 413, "too_large", limit=self.max_body)


class Cors(CORSMiddleware):
    """Starlette's CORS, with a short way for the common case of a request without an Origin (the
    native apps): all CORS does then is add `Vary: Origin`, without its Headers objects."""

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or any(k == b"origin" for k, _ in scope["headers"]):
            return await super().__call__(scope, receive, send)

        async def send_varied(message):
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                vary = [v for k, v in headers if k.lower() == b"vary"]
                if vary:   # as CORSMiddleware does: one Vary, the service's values and Origin
                    headers = [(k, v) for k, v in headers if k.lower() != b"vary"]
                    vary = [b", ".join([*vary, b"Origin"])]
                message["headers"] = [*headers, (b"vary", vary[0] if vary else b"Origin")]
            await send(message)
        await self.app(scope, receive, send_varied)

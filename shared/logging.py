"""JSON logs carrying the request id, and the middleware that assigns it and logs each request."""
import json
import logging
import sys
import time
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_var: ContextVar[str | None] = ContextVar("user", default=None)
# The route template a request matched (bounded, unlike the raw path); set by whoever routes it.
route_var: ContextVar[str | None] = ContextVar("route", default=None)
REQUEST_ID_HEADER = "x-request-id"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True  # replaced by our access log with request id
    logging.getLogger(service).info("logging configured")


PROBE_PATHS = frozenset({"/livez", "/readyz"})   # asked every few seconds by the kubelet


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): takes or makes X-Request-ID, echoes it, logs access."""

    def __init__(self, app, service: str):
        self.app = app
        self.log = logging.getLogger(f"{service}.access")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        rid = rid if rid and len(rid) <= 128 else uuid.uuid4().hex
        token = request_id_var.set(rid)
        user_token = user_var.set(None)
        route_token = route_var.set(None)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # every request passes here: build the line only if kept; a probe that passed says nothing new
            if self.log.isEnabledFor(logging.INFO) and not (status < 400 and scope["path"] in PROBE_PATHS):
                self.log.info("request", extra={"fields": {
                    "method": scope["method"], "path": scope["path"], "status": status, "user": user_var.get(),
                    "route": route_var.get() or getattr(scope.get("route"), "path", None),
                    "ms": round((time.perf_counter() - started) * 1000, 2)}})
            request_id_var.reset(token)
            user_var.reset(user_token)
            route_var.reset(route_token)

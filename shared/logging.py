"""JSON logs carrying the request id, and the middleware that assigns it and logs each request."""
import json
import logging
import sys
import time
import traceback
import uuid
from contextvars import ContextVar

from sqlalchemy.exc import DBAPIError

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_var: ContextVar[str | None] = ContextVar("user", default=None)
# The route template a request matched (bounded, unlike the raw path); set by whoever routes it.
route_var: ContextVar[str | None] = ContextVar("route", default=None)
REQUEST_ID_HEADER = "x-request-id"
# The narrowest column that stores a request id (appraisal's records): a caller's id that is longer, or
# not plain printable ASCII, is replaced by one of ours, the same way at the gateway and at each service.
MAX_REQUEST_ID = 64


def usable_request_id(rid: str | None) -> bool:
    return bool(rid) and len(rid) <= MAX_REQUEST_ID and rid.isascii() and rid.isprintable()


def _database_error(exc: BaseException | None) -> BaseException | None:
    """The database error in an exception's chain, if any: SQLAlchemy's wrapper or the driver's own."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DBAPIError) or type(exc).__module__.startswith(("asyncpg", "sqlite3", "aiosqlite")):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def database_error_summary(exc: BaseException) -> str:
    """What a database error says without the values in it: the drivers quote them in their messages
    ("Key (phone)=(138…) already exists", "invalid input for query argument $1: '138…'"), and values are
    customers' personal data. Kept: the error's class, SQLSTATE, constraint, table, column, statement."""
    driver = getattr(exc, "orig", None) or exc
    driver = driver.__cause__ or driver
    parts = [f"{type(exc).__module__}.{type(exc).__qualname__}", f"({type(driver).__name__})"]
    for name in ("sqlstate", "constraint_name", "table_name", "column_name"):
        if getattr(driver, name, None):
            parts.append(f"{name}={getattr(driver, name)}")
    if getattr(exc, "statement", None):
        parts.append(f"[SQL: {exc.statement}]")
    return " ".join(parts) + " (message and values withheld from the log)"


def _loggable(arg):
    database = _database_error(arg) if isinstance(arg, BaseException) else None
    return arg if database is None else database_error_summary(database)


class JsonFormatter(logging.Formatter):
    def formatException(self, ei) -> str:
        database = _database_error(ei[1])
        if database is None:
            return super().formatException(ei)
        frames = "".join(traceback.format_tb(ei[2]))   # where it happened; no chained messages
        raised = "" if database is ei[1] else f"{type(ei[1]).__qualname__}, from "
        return f"Traceback (most recent call last):\n{frames}{raised}{database_error_summary(database)}"

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.args, tuple) and record.args:   # log.warning("… %s", err) with a database error
            record.args = tuple(_loggable(arg) for arg in record.args)
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
        rid = rid if usable_request_id(rid) else uuid.uuid4().hex
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

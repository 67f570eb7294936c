"""Refuses request text no database can store — NUL characters and unpaired surrogates — before any
service code sees it, naming the field (PostgreSQL would otherwise fail mid-transaction with a 500)."""
import json
from urllib.parse import parse_qsl

from starlette.requests import Request

from shared.errors import problem_response, register_messages, text

register_messages({
    "unstorable_text": ("含有无法保存的字符（如空字符）", "contains characters that cannot be stored (e.g. NUL)"),
    "nested_too_deep": ("嵌套层级过深（上限 {limit} 层）", "nested too deeply (limit {limit} levels)"),
})
MAX_DEPTH = 32   # no request of the API nests beyond a handful of levels; the parsers recurse per level


def too_deep(value) -> bool:
    """Whether a parsed JSON value nests deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_DEPTH:
                    return True
                stack.append((child, depth + 1))
    return False


def bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \ud800-style escape
        return True
    return False


def first_bad_field(value, path: str = "") -> str | None:
    """Path of the first string (or key) in a JSON value that cannot be stored, else None."""
    if isinstance(value, str):
        return path or "body" if bad_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if bad_text(str(key)):
                return where
            found = first_bad_field(item, where)
            if found:
                return found
    if isinstance(value, list):
        for n, item in enumerate(value):
            found = first_bad_field(item, f"{path}[{n}]")
            if found:
                return found
    return None


class TextGuardMiddleware:
    """Pure ASGI; buffers JSON bodies (they are small: the gateway caps them) and replays them."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        bad = next((k for k, v in query if bad_text(v) or bad_text(k)), None)
        reason = "unstorable_text"
        if bad is None and dict(scope["headers"]).get(b"content-type", b"").startswith(b"application/json"):
            body = await _read_body(receive)
            try:
                value = json.loads(body) if body else None
                if too_deep(value):
                    bad, reason = "body", "nested_too_deep"
                else:
                    bad = first_bad_field(value)
            except RecursionError:   # deeper than even the parser goes
                bad, reason = "body", "nested_too_deep"
            except ValueError:
                bad = None  # not JSON: FastAPI answers that with its own 422
            receive = _replay(body)
        if bad is None:
            return await self.app(scope, receive, send)
        request = Request(scope)
        response = problem_response(request, 422, "validation",
                                    [{"field": bad, "reason": text(request, reason, limit=MAX_DEPTH)}])
        await response(scope, receive, send)


async def _read_body(receive) -> bytes:
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


def _replay(body: bytes):
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}
    return receive

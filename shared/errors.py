"""problem+json (RFC 9457) for every error, with the text a person reads in Chinese or English."""
from typing import Any, NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.reasons import REASONS as FIELD_REASONS  # noqa: F401 - services add their own error types
from shared.reasons import reason

PROBLEM = "application/problem+json"

# code -> (zh, en). A service adds its own codes with register_messages().
MESSAGES: dict[str, tuple[str, str]] = {
    "not_found": ("资源不存在或不在您的权限范围内", "Not found, or outside your scope"),
    "route_not_found": ("接口不存在", "No such endpoint"),
    "method_not_allowed": ("该接口不支持此请求方法", "Method not allowed on this endpoint"),
    "unauthorized": ("未登录或登录已失效，请重新登录", "Missing or invalid token; sign in again"),
    "session_revoked": ("登录已注销，请重新登录", "This session has ended; sign in again"),
    "forbidden": ("您的角色无权执行此操作", "Your role may not do this"),
    "validation": ("请求内容有误，请检查标注的字段", "The request has invalid fields"),
    "conflict": ("与现有数据冲突", "Conflicts with existing data"),
    "internal": ("服务内部错误，请稍后重试", "Internal error; try again later"),
    "unavailable": ("服务暂时不可用，请稍后重试", "Service temporarily unavailable; try again later"),
}


def register_messages(messages: dict[str, tuple[str, str]]) -> None:
    MESSAGES.update(messages)


def wants_english(request: Request) -> bool:
    lang = request.headers.get("accept-language", "").strip().lower()
    return lang.startswith("en")


class Bilingual(NamedTuple):
    """A problem's parameter already worded in both languages (e.g. the list of what a rule found wrong):
    the reader's language is put into the message."""
    zh: str
    en: str


def text(request: Request, code: str, **params: Any) -> str:
    zh, en = MESSAGES.get(code, (code, code))
    english = wants_english(request)
    params = {k: (v.en if english else v.zh) if isinstance(v, Bilingual) else v for k, v in params.items()}
    return (en if english else zh).format(**params)


class Problem(Exception):
    """Raise from any route or service function; rendered as problem+json."""

    def __init__(self, status: int, code: str, field: str | None = None, headers: dict | None = None, **params):
        super().__init__(code)
        self.status, self.code, self.field, self.params, self.headers = status, code, field, params, headers


def problem_response(request: Request, status: int, code: str, errors: list | None = None,
                     headers: dict | None = None, extra: dict | None = None, **params) -> JSONResponse:
    body = {"type": f"urn:rmwb:problem:{code}", "title": code.replace("_", " "), "status": status,
            "detail": text(request, code, **params), "code": code}
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        errors = [{"field": exc.field, "reason": text(request, exc.code, **exc.params)}] if exc.field else None
        return problem_response(request, exc.status, exc.code, errors, exc.headers, **exc.params)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        english = wants_english(request)
        errors = []
        for e in exc.errors():
            loc = [str(p) for p in e["loc"] if p not in ("body", "query", "path", "header")]
            errors.append({"field": ".".join(loc) or None, "reason": reason(e, english)})
        return problem_response(request, 422, "validation", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:   # a body that does not even decode: refused like any invalid JSON
            return problem_response(request, 422, "validation", [
                {"field": "body", "reason": reason({"type": "json_invalid"}, wants_english(request))}])
        code = {401: "unauthorized", 403: "forbidden", 404: "route_not_found", 405: "method_not_allowed"}
        return problem_response(request, exc.status_code, code.get(exc.status_code, "internal"),
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        import logging
        logging.getLogger("errors").exception("unhandled error")
        return problem_response(request, 500, "internal")

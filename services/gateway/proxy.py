"""Forwarding one request to its service, and the HTTP conventions applied to every answer:
weak ETags with If-None-Match → 304 on GETs, and 503 problem+json naming a service that is away."""
import hashlib

from fastapi import Request
from fastapi.responses import Response

from services.gateway.upstreams import Reply, UpstreamUnavailable, Upstreams
from shared.errors import problem_response, register_messages
from shared.logging import request_id_var

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                        "transfer-encoding", "upgrade", "host", "content-length"})
DROP_FROM_REPLY = HOP_BY_HOP | {"x-request-id", "date", "server"}   # ours are added by our own stack
register_messages({
    "upstream_down": ("{service} 服务暂时不可用，请稍后重试", "The {service} service is unavailable; try again later"),
})


def upstream_headers(request: Request) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k not in HOP_BY_HOP}
    headers["x-request-id"] = request_id_var.get() or ""
    if request.client:
        headers["x-forwarded-for"] = request.client.host
    return headers


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def not_modified(request: Request, etag: str) -> bool:
    wanted = request.headers.get("if-none-match")
    if not wanted:
        return False
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def conditional(request: Request, status: int, body: bytes, headers: list[tuple[str, str]],
                media_type: str | None = None) -> Response:
    """A GET 200 carries an ETag over its body; a client that already holds that body gets 304."""
    if request.method == "GET" and status == 200:
        etag = etag_of(body)
        if not_modified(request, etag):
            return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "private, no-cache"})
        headers = [*headers, ("ETag", etag), ("Cache-Control", "private, no-cache")]
    response = Response(content=body, status_code=status, media_type=media_type)
    for k, v in headers:
        response.headers.append(k, v)
    return response


def unavailable(request: Request, err: UpstreamUnavailable) -> Response:
    return problem_response(request, 503, "upstream_down", headers={"Retry-After": str(max(1, round(err.retry_after)))},
                            extra={"service": err.service, "reason": err.kind}, service=err.service)


async def forward(request: Request, upstreams: Upstreams, service: str, body: bytes) -> Response:
    path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        reply: Reply = await upstreams.call(service, request.method, path_qs, upstream_headers(request), body or None)
    except UpstreamUnavailable as err:
        return unavailable(request, err)
    headers = [(k, v) for k, v in reply.headers if k.lower() not in DROP_FROM_REPLY]
    return conditional(request, reply.status, reply.body, headers)

"""Which service answers which path under /api/v1 (the longest matching prefix wins), and the page
size rule every list shares."""
from functools import lru_cache

from fastapi import Request
from fastapi.responses import Response

from shared.errors import problem_response, register_messages, text

ROUTES: dict[str, str] = {
    "/api/v1/auth": "customer",
    "/api/v1/me": "customer",
    "/api/v1/me/agenda": "tasks",
    "/api/v1/me/day-plan": "tasks",
    "/api/v1/me/summaries": "tasks",
    "/api/v1/appointments": "tasks",
    "/api/v1/marketing-results": "customer",
    "/api/v1/customers": "customer",
    "/api/v1/loans": "customer",
    "/api/v1/tasks": "tasks",
    "/api/v1/teams": "tasks",
    "/api/v1/appraisal": "appraisal",
    "/api/v1/staff": "customer",
    "/api/v1/org": "customer",
    "/api/v1/audit": "customer",
    "/api/v1/transfer-requests": "customer",
    "/api/v1/claim-refusals": "customer",
    "/api/v1/worklog": "customer",
    "/api/v1/interactions": "customer",
    "/api/v1/credit-applications": "customer",
    "/api/v1/complaints": "customer",
    "/api/v1/audits": "customer",
    "/api/v1/conduct": "customer",
    "/api/v1/callbacks": "customer",
}
_LONGEST_FIRST = sorted(ROUTES, key=len, reverse=True)


LONGEST_CACHED = 512   # a cache entry holds its path: odd long ones are looked up each time, not kept


def upstream_for(path: str) -> str | None:
    return _upstream_for(path) if len(path) <= LONGEST_CACHED else _upstream_for.__wrapped__(path)


@lru_cache(maxsize=4096)   # the same few paths over and over
def _upstream_for(path: str) -> str | None:
    for prefix in _LONGEST_FIRST:
        if path == prefix or path.startswith(prefix + "/"):
            return ROUTES[prefix]
    return None


register_messages({"page_limit": ("limit 应为 1 到 {max} 之间的整数", "limit must be an integer from 1 to {max}")})


def check_page_limit(request: Request, maximum: int) -> Response | None:
    """Every list pages with limit/cursor/next_cursor; the gateway holds all of them to one maximum."""
    limit = request.query_params.get("limit")
    if limit is None or (limit.isdigit() and 1 <= int(limit) <= maximum):
        return None
    return problem_response(request, 422, "page_limit", max=maximum,
                            errors=[{"field": "limit", "reason": text(request, "page_limit", max=maximum)}])

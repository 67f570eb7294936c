"""Which service answers which path under /api/v1. The longest matching prefix wins."""
ROUTES: dict[str, str] = {
    "/api/v1/auth": "customer",
    "/api/v1/me": "customer",
    "/api/v1/me/agenda": "tasks",
    "/api/v1/customers": "customer",
    "/api/v1/tasks": "tasks",
    "/api/v1/teams": "tasks",
    "/api/v1/appraisal": "appraisal",
}
_LONGEST_FIRST = sorted(ROUTES, key=len, reverse=True)


def upstream_for(path: str) -> str | None:
    for prefix in _LONGEST_FIRST:
        if path == prefix or path.startswith(prefix + "/"):
            return ROUTES[prefix]
    return None

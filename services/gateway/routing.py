"""Which service answers which path under /api/v1. The longest matching prefix wins."""
ROUTES: dict[str, str] = {
    "/api/v1/auth": "customer",
    "/api/v1/me": "customer",
    "/api/v1/me/agenda": "tasks",
    "/api/v1/customers": "customer",
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
}
_LONGEST_FIRST = sorted(ROUTES, key=len, reverse=True)


def upstream_for(path: str) -> str | None:
    for prefix in _LONGEST_FIRST:
        if path == prefix or path.startswith(prefix + "/"):
            return ROUTES[prefix]
    return None

"""Unknown query parameters are refused (422 naming each one) instead of ignored: a misspelt or
unsupported filter (`/tasks?customer=`) must not quietly answer with everything."""
from fastapi import Request
from fastapi.dependencies.utils import get_flat_params
from fastapi.params import Query

from shared.errors import Problem, register_messages

register_messages({
    "unknown_parameter": ("不支持的查询参数 {name}；可用：{allowed}", "Unknown query parameter {name}; accepted: {allowed}"),
})

_DECLARED: dict[int, frozenset[str]] = {}   # route id -> its query parameter names, learnt on first call


def declared_query(route) -> frozenset[str]:
    """The query names a route accepts (aliases as sent), including those of its dependencies."""
    names = _DECLARED.get(id(route))
    if names is None:
        names = frozenset(f.alias for f in get_flat_params(route.dependant)
                          if isinstance(f.field_info, Query))
        _DECLARED[id(route)] = names
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A router dependency (shared.app adds it to every service route)."""
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return
    allowed = declared_query(route)
    for name in request.query_params:
        if name not in allowed:
            raise Problem(422, "unknown_parameter", field=name, name=name,
                          allowed=", ".join(sorted(allowed)) or "-")

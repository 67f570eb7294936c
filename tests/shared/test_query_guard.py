"""Every route of every service refuses a query parameter it does not declare (422 naming it), so a
misspelt or unsupported filter never answers as if there were no filter."""
import re
import uuid

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from services.appraisal.main import app as appraisal_app
from services.customer.main import app as customer_app
from services.gateway.main import api as gateway_app
from services.tasks.main import app as tasks_app
from shared.query_guard import declared_query

APPS = {"customer": customer_app, "tasks": tasks_app, "appraisal": appraisal_app, "gateway": gateway_app}


def routes_of(app):
    """(path as served, the APIRoute) for every operation, through included routers."""
    return [(c.path, c.original_route) for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def _routes():
    for name, app in APPS.items():
        for path, route in routes_of(app):
            yield pytest.param(app, path, route, id=f"{name} {sorted(route.methods)[0]} {path}")


def _concrete(path: str) -> str:
    # any value the path's pattern accepts: the refusal comes before the path is validated
    return re.sub(r"\{[^}]+\}", lambda m: str(uuid.uuid4()) if ":uuid" in m.group() else "2026-11", path)


@pytest.mark.parametrize(("app", "path", "route"), list(_routes()))
async def test_an_undeclared_query_parameter_is_a_422_naming_it(app, path, route):
    method = sorted(route.methods)[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        r = await client.request(method, _concrete(path), params={"no_such_filter": "1"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", (r.status_code, r.text)
    [error] = r.json()["errors"]
    assert error["field"] == "no_such_filter"
    assert all(name in error["reason"] for name in declared_query(route))   # says what is accepted


def test_declared_names_include_aliases_and_dependencies():
    agenda = next(r for p, r in routes_of(tasks_app) if p == "/api/v1/me/agenda")
    assert {"date", "limit"} == declared_query(agenda)

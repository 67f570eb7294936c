"""Roles × operations × in-scope / out-of-scope customers: the status code each combination gets.

"in" is a customer of rm01 (team T01, sub-branch SB01 of BR01); "out" belongs to rm03 in another branch
(BR02), outside every demo role's scope but the admin's. Out of scope is always 404, never 403."""
import pytest

from tests.customer.helpers import create

ROLES = ("rm01", "rm02", "lead01", "branch01", "risk01", "audit01", "admin", "credit01", "vice01")
READ = {"rm01": 200, "rm02": 404, "lead01": 200, "branch01": 200, "risk01": 200, "audit01": 200, "admin": 200,
        "credit01": 404, "vice01": 404}   # the credit reviewer and the deputy head in charge hold no book
WRITE = {**READ, "risk01": 403, "audit01": 403}
SERVE = {**WRITE, "admin": 403}          # serving the customer: RM, lead, branch head only
MOVE = {**WRITE, "rm01": 403}            # a transfer needs a lead or above
OUT_READ = {who: 404 for who in ROLES} | {"admin": 200}
OUT_SERVE = {who: 404 for who in ROLES} | {"admin": 403}
MATRIX = {  # operation -> (expected for the in-scope customer, expected for the out-of-scope one)
    "read": (READ, OUT_READ),
    "holdings": (READ, OUT_READ),
    "ownership": (READ, OUT_READ),
    "interactions": (READ, OUT_READ),
    "overview": (READ, OUT_READ),
    "contacts": (READ, OUT_READ),
    "relationships": (READ, OUT_READ),
    "patch": ({**WRITE}, OUT_READ),
    "log_interaction": ({**SERVE, "rm01": 201, "lead01": 201, "branch01": 201}, OUT_SERVE),
    "transfer": (MOVE, OUT_READ),
    "unmasked_read": (SERVE, OUT_SERVE),
    "transfer_request": ({**WRITE, "rm01": 201, "lead01": 201, "branch01": 201, "admin": 201},
                         OUT_READ | {"admin": 201}),
}
CASES = [(op, who, where, MATRIX[op][0 if where == "in" else 1][who])
         for op in MATRIX for who in ROLES for where in ("in", "out")]


async def call(api, op, headers, customer):
    base = f"/api/v1/customers/{customer['id']}"
    if op == "read":
        return await api.get(base, headers=headers)
    if op == "unmasked_read":
        return await api.get(base + "?unmask=true", headers=headers)
    if op in ("holdings", "ownership", "interactions", "overview", "contacts", "relationships"):
        return await api.get(f"{base}/{op}", headers=headers)
    if op == "patch":
        return await api.patch(base, json={"address": "上海市浦东新区"}, headers={**headers, "If-Match": '"1"'})
    if op == "log_interaction":
        return await api.post(base + "/interactions", headers=headers, json={
            "channel": "visit", "occurred_on": "2026-11-20", "notes": "走访了解经营情况"})
    if op == "transfer":
        return await api.post(base + "/transfer", json={"to": "rm02", "reason": "调整"}, headers=headers)
    if op == "transfer_request":
        return await api.post(base + "/transfer-requests", json={"to": "rm02", "reason": "调整"}, headers=headers)
    raise AssertionError(op)


@pytest.mark.parametrize(("op", "who", "where", "expected"), CASES,
                         ids=[f"{op}-{who}-{where}" for op, who, where, _ in CASES])
async def test_role_operation_scope_matrix(customer_api, login, second_branch, op, who, where, expected):
    owner_headers = await login("rm01") if where == "in" else await login("lead02")
    created = await create(customer_api, owner_headers, **({} if where == "in" else {"owner": "rm03"}))
    assert created.status_code == 201, created.text
    r = await call(customer_api, op, await login(who), created.json())
    assert r.status_code == expected, f"{op} by {who} on {where}-scope customer: {r.status_code} {r.text}"
    if expected >= 400:
        assert r.headers["content-type"] == "application/problem+json"

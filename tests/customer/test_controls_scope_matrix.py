"""Roles × operations × scope for the controls' routes (credit files, complaints, audits, conduct,
call-backs).

"in" objects belong to rm01 (team T01, SB01 of BR01); "out" ones to rm03 in BR02, outside every demo role's
scope but the admin's. Out of scope is 404 (existence is private); a role that may not act is 403. The credit
department's reviewer (credit01) alone records review decisions; BR01 has a deputy head in charge (vice01), so
service outside the bank is his to approve there, not the branch head's."""
import uuid

import pytest
from sqlmodel import update

from services.customer.models import CreditApplication
from services.customer.rules import CREDIT_CHECKLIST
from tests.customer.helpers import create

ROLES = ("rm01", "rm02", "lead01", "branch01", "risk01", "audit01", "admin", "credit01", "vice01")
NO_CUSTOMERS = {"credit01": 404, "vice01": 404}   # neither sees the book of customers
ALL = dict.fromkeys(ROLES)
OUT_404 = {**dict.fromkeys(ROLES, 404), "admin": 200}
SERVE = {**ALL, "rm01": 201, "rm02": 404, "lead01": 201, "branch01": 201, "risk01": 403, "audit01": 403, "admin": 403,
         **NO_CUSTOMERS}
OUT_SERVE = {**dict.fromkeys(ROLES, 404), "admin": 403}
READ = {**dict.fromkeys(ROLES, 200), "rm02": 404, "vice01": 404}
AUDITORS_ONLY = {**dict.fromkeys(ROLES, 403), "audit01": 200}
MATRIX: dict[str, tuple[dict, dict]] = {  # operation -> (expected in scope, expected out of scope)
    "open_credit": (SERVE, OUT_SERVE),
    "read_credit": (READ, OUT_404),
    "add_documents": ({**READ, "risk01": 403, "audit01": 403, "admin": 403, "credit01": 403}, OUT_SERVE),
    "sign_submission": ({**dict.fromkeys(ROLES, 403), "rm01": 200, "rm02": 404, "risk01": 200, "vice01": 404},
                        OUT_SERVE),
    "record_review": ({**dict.fromkeys(ROLES, 403), "rm02": 404, "credit01": 200, "vice01": 404}, OUT_SERVE),
    "file_complaint": (SERVE, OUT_SERVE),
    "resolve_complaint": ({**dict.fromkeys(ROLES, 403), "rm02": 404, "lead01": 200, "branch01": 200, **NO_CUSTOMERS},
                          OUT_SERVE),
    "open_audit": ({**dict.fromkeys(ROLES, 403), "audit01": 201}, {**dict.fromkeys(ROLES, 403), "audit01": 404}),
    "read_audit": ({**AUDITORS_ONLY, "admin": 200}, {**AUDITORS_ONLY, "audit01": 404, "admin": 200}),
    "audit_finding": (AUDITORS_ONLY, {**AUDITORS_ONLY, "audit01": 404}),
    "audit_sign_off": (AUDITORS_ONLY, {**AUDITORS_ONLY, "audit01": 404}),
    "record_refusal": (SERVE, OUT_SERVE),
    "decide_conduct": ({**dict.fromkeys(ROLES, 403), "rm02": 404, "risk01": 404, "branch01": 200, "credit01": 404},
                       OUT_SERVE),
    "decide_outside_service": ({**dict.fromkeys(ROLES, 403), "rm02": 404, "risk01": 404, "credit01": 404,
                                "vice01": 200}, OUT_SERVE),
    "record_callback": ({**dict.fromkeys(ROLES, 403), "rm02": 404, "lead01": 201, "branch01": 201, **NO_CUSTOMERS},
                        OUT_SERVE),
    "record_qualification": ({**dict.fromkeys(ROLES, 403), "branch01": 201, "admin": 201},
                             {**dict.fromkeys(ROLES, 403), "branch01": 404, "admin": 201}),
}
CASES = [(op, who, where, MATRIX[op][0 if where == "in" else 1][who])
         for op in MATRIX for who in ROLES for where in ("in", "out")]
PERIOD = {"period_from": "2026-01-01", "period_to": "2026-12-31"}


async def _credit(api, headers, customer, db=None, submitted=False):
    r = await api.post("/api/v1/credit-applications", headers=headers, json={
        "customer_id": customer["id"], "product": "working_capital", "amount": "100000.00", "purpose": "周转",
        "investigators": [customer["owner"]], "documents": list(CREDIT_CHECKLIST), "commitment": True})
    assert r.status_code == 201, r.text
    if submitted:   # co-signed by a risk manager no demo role is, so separation refuses none of them
        async with db() as s:
            await s.exec(update(CreditApplication).where(CreditApplication.id == uuid.UUID(r.json()["id"]))
                         .values(status="submitted", rm_signed_by=customer["owner"], risk_signed_by="risk09"))
            await s.commit()
    return f"/api/v1/credit-applications/{r.json()['id']}"


async def _complaint(api, headers, customer):
    r = await api.post("/api/v1/complaints", headers=headers, json={
        "customer_id": customer["id"], "channel": "counter", "category": "service", "severity": "low", "text": "排队久"})
    assert r.status_code == 201, r.text
    return f"/api/v1/complaints/{r.json()['id']}"


async def _audit(api, auditor, rm):
    r = await api.post("/api/v1/audits", headers=auditor, json={"kind": "routine", "rm": rm, **PERIOD})
    assert r.status_code == 201, r.text
    return f"/api/v1/audits/{r.json()['id']}"


async def call(api, db, login, op, headers, where):
    owner, rm = (await login("rm01"), "rm01") if where == "in" else (await login("rm03"), "rm03")
    customer = (await create(api, owner)).json()
    body = {"customer_id": customer["id"], "product": "p", "amount": "1000.00", "purpose": "p",
            "investigators": [rm], "documents": []}
    if op == "open_credit":
        return await api.post("/api/v1/credit-applications", headers=headers, json=body)
    if op == "read_credit":
        return await api.get(await _credit(api, owner, customer), headers=headers)
    if op == "add_documents":
        return await api.post(await _credit(api, owner, customer) + "/documents", headers=headers,
                              json={"documents": ["business_license"]})
    if op == "sign_submission":
        return await api.post(await _credit(api, owner, customer) + "/submit", headers=headers)
    if op == "record_review":
        return await api.post(await _credit(api, owner, customer, db, submitted=True) + "/review", headers=headers,
                              json={"level": 1, "decision": "approve"})
    if op == "file_complaint":
        return await api.post("/api/v1/complaints", headers=headers, json={
            "customer_id": customer["id"], "channel": "phone", "category": "fees", "severity": "high", "text": "收费"})
    if op == "resolve_complaint":
        return await api.post(await _complaint(api, owner, customer) + "/resolve", headers=headers,
                              json={"responsible": "bank", "finding": "流程问题", "feedback": "理解"})
    if op == "record_refusal":
        return await api.post("/api/v1/conduct/refusals", headers=headers, json={
            "customer_id": customer["id"], "offered": "gift", "description": "购物卡", "occurred_on": "2026-11-20"})
    if op == "decide_conduct":
        r = await api.post("/api/v1/conduct/hosting-reports", headers=owner, json={
            "customer_id": customer["id"], "occurred_on": "2026-11-21", "guests": "客户", "relationship": "客户",
            "purpose": "沟通", "cost": "99999.00"})
        assert r.status_code == 201, r.text
        return await api.post(f"/api/v1/conduct/records/{r.json()['id']}/decide", headers=headers,
                              json={"approve": True})
    if op == "decide_outside_service":
        r = await api.post("/api/v1/conduct/outside-service", headers=owner, json={
            "customer_id": customer["id"], "occurred_on": "2026-11-25", "place": "客户仓库", "purpose": "上门开户",
            "second_staff": "lead01" if where == "in" else "lead02"})
        assert r.status_code == 201, r.text
        return await api.post(f"/api/v1/conduct/records/{r.json()['id']}/decide", headers=headers,
                              json={"approve": True})
    if op == "record_callback":
        return await api.post("/api/v1/callbacks", headers=headers, json={
            "customer_id": customer["id"], "reached": True, "satisfaction": 4})
    if op == "open_audit":
        return await api.post("/api/v1/audits", headers=headers, json={"kind": "routine", "rm": rm, **PERIOD})
    auditor = await login("audit01" if where == "in" else "admin")
    if op == "record_qualification":
        return await api.post(f"/api/v1/staff/{rm}/qualifications", headers=headers, json={
            "exam": "客户经理岗位资质认证", "passed_on": "2026-01-05", "expires_on": "2029-01-04"})
    if where == "out":   # only an auditor opens a case, and none reaches BR02: one is made for the test
        auditor = await login("audit02")
    url = await _audit(api, auditor, rm)
    if op == "read_audit":
        return await api.get(url, headers=headers)
    if op == "audit_finding":
        return await api.post(url + "/findings", headers=headers, json={"text": "发现"})
    if op == "audit_sign_off":
        return await api.post(url + "/sign-off", headers=headers, json={"conclusion": "无异常"})
    raise AssertionError(op)


@pytest.fixture(scope="module")
async def auditor_of_second_branch(customer_api, login, second_branch):
    r = await customer_api.post("/api/v1/staff", headers=await login("admin"), json={
        "username": "audit02", "display_name": "audit02", "roles": ["auditor"], "unit": "BR02",
        "password": "demo-password"})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(("op", "who", "where", "expected"), CASES,
                         ids=[f"{op}-{who}-{where}" for op, who, where, _ in CASES])
async def test_controls_role_operation_scope_matrix(customer_api, customer_db, login, auditor_of_second_branch,
                                                    op, who, where, expected):
    r = await call(customer_api, customer_db, login, op, await login(who), where)
    assert r.status_code == expected, f"{op} by {who} on {where}-scope object: {r.status_code} {r.text}"
    if expected >= 400:
        assert r.headers["content-type"] == "application/problem+json"


async def test_the_review_queue_lists_the_submitted_files_of_the_reviewers_subtree_only_page_by_page(
        customer_api, customer_db, login, second_branch):
    rm01, rm03 = await login("rm01"), await login("rm03")
    mine = [(await _credit(customer_api, rm01, (await create(customer_api, rm01)).json(), customer_db, submitted=s))
            .rsplit("/", 1)[1] for s in (True, True, False)]
    elsewhere = (await _credit(customer_api, rm03, (await create(customer_api, rm03)).json(), customer_db,
                               submitted=True)).rsplit("/", 1)[1]

    async def listed(who, **query):
        seen, cursor = [], None
        while True:
            r = await customer_api.get("/api/v1/credit-applications", headers=await login(who),
                                       params={**query, "limit": 1, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            seen += [a["id"] for a in r.json()["items"]]
            if not (cursor := r.json()["next_cursor"]):
                return seen

    queue = await listed("credit01", status="submitted")
    assert set(mine[:2]) <= set(queue) and mine[2] not in queue and elsewhere not in queue
    assert len(queue) == len(set(queue))   # paging neither repeats nor skips
    assert mine[2] in await listed("credit01")
    assert not set(mine) & set(await listed("rm02"))   # another RM's files are not his
    assert elsewhere in await listed("admin", status="submitted")

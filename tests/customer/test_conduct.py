"""Conduct: 岗位资质认证 before owning customers — an RM without a valid qualification cannot be made A岗
or B岗 (409 saying why); records are entered by an admin or the branch head over the RM."""
from datetime import timedelta

from services.customer.cli.seed import DEMO_PASSWORD
from shared.clock import business_today
from tests.customer.helpers import create, qualify


async def _new_rm(api, login, username):
    r = await api.post("/api/v1/staff", headers=await login("admin"), json={
        "username": username, "display_name": username, "roles": ["rm"], "unit": "SB01", "team": "T01",
        "grade": "senior", "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.text


async def test_an_unqualified_rm_cannot_be_made_a_or_b_manager(customer_api, login):
    await _new_rm(customer_api, login, "rm30")
    lead = await login("lead01")
    r = await create(customer_api, lead, owner="rm30")
    assert r.status_code == 409 and r.json()["code"] == "owner_unqualified", r.text
    assert r.json()["errors"][0]["field"] == "owner" and "rm30" in r.json()["detail"]
    customer = (await create(customer_api, lead, owner="rm01", kind="retail")).json()
    r = await customer_api.post(f"/api/v1/customers/{customer['id']}/transfer", headers=lead,
                                json={"to": "rm30", "reason": "设B岗", "role": "B"})
    assert r.status_code == 409 and r.json()["code"] == "owner_unqualified", r.text
    today = business_today()
    await qualify(customer_api, await login("admin"), "rm30", passed_on=str(today - timedelta(days=800)),
                  expires_on=str(today - timedelta(days=1)))   # expired yesterday: still not qualified
    assert (await create(customer_api, lead, owner="rm30")).status_code == 409
    await qualify(customer_api, await login("branch01"), "rm30", passed_on=str(today),
                  expires_on=str(today + timedelta(days=365)))
    assert (await create(customer_api, lead, owner="rm30")).status_code == 201
    r = await customer_api.get("/api/v1/staff/rm30/qualifications", headers=await login("branch01"))
    assert [q["recorded_by"] for q in r.json()] == ["admin", "branch01"]


async def test_demo_rms_are_qualified_by_the_seed(customer_api, login):
    for rm in ("rm01", "rm02"):
        r = await customer_api.get(f"/api/v1/staff/{rm}/qualifications", headers=await login("admin"))
        assert any(q["passed_on"] <= str(business_today()) <= q["expires_on"] for q in r.json()), rm


async def test_qualification_records_are_for_admins_and_heads_over_the_rm(customer_api, login, second_branch):
    body = {"exam": "客户经理岗位资质认证", "passed_on": "2026-01-05", "expires_on": "2029-01-04"}
    for who, expected in (("rm01", 403), ("lead01", 403), ("audit01", 403), ("branch01", 404)):
        r = await customer_api.post("/api/v1/staff/rm03/qualifications", headers=await login(who), json=body)
        assert r.status_code == expected, (who, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    r = await customer_api.post("/api/v1/staff/rm02/qualifications", headers=await login("branch01"),
                                json={**body, "expires_on": "2025-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_on"

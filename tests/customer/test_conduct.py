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
    assert [q["recorded_by"] for q in r.json()["items"]] == ["admin", "branch01"]


async def test_demo_rms_are_qualified_by_the_seed(customer_api, login):
    for rm in ("rm01", "rm02"):
        r = await customer_api.get(f"/api/v1/staff/{rm}/qualifications", headers=await login("admin"))
        assert any(q["passed_on"] <= str(business_today()) <= q["expires_on"] for q in r.json()["items"]), rm


async def test_qualification_records_are_for_admins_and_heads_over_the_rm(customer_api, login, second_branch):
    body = {"exam": "客户经理岗位资质认证", "passed_on": "2026-01-05", "expires_on": "2029-01-04"}
    for who, expected in (("rm01", 403), ("lead01", 403), ("audit01", 403), ("branch01", 404)):
        r = await customer_api.post("/api/v1/staff/rm03/qualifications", headers=await login(who), json=body)
        assert r.status_code == expected, (who, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    r = await customer_api.post("/api/v1/staff/rm02/qualifications", headers=await login("branch01"),
                                json={**body, "expires_on": "2025-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_on"


async def test_refusal_and_hosting_within_budget_are_recorded_and_over_budget_waits_for_the_head(
        customer_api, login):
    rm = await login("rm01")
    customer = (await create(customer_api, rm)).json()
    r = await customer_api.post("/api/v1/conduct/refusals", headers=rm, json={
        "customer_id": customer["id"], "offered": "dinner", "description": "客户邀请晚宴，已婉拒",
        "occurred_on": "2026-11-20"})
    assert r.status_code == 201 and r.json()["status"] == "recorded", r.text
    hosting = {"customer_id": customer["id"], "occurred_on": "2026-11-21", "guests": "财务总监王某",
               "relationship": "授信客户", "purpose": "续贷沟通"}
    within = await customer_api.post("/api/v1/conduct/hosting-reports", headers=rm, json={**hosting, "cost": "2000.00"})
    over = await customer_api.post("/api/v1/conduct/hosting-reports", headers=rm, json={**hosting, "cost": "2000.01"})
    assert (within.json()["status"], over.json()["status"]) == ("recorded", "pending")
    url = f"/api/v1/conduct/records/{over.json()['id']}/decide"
    assert (await customer_api.post(url, headers=rm, json={"approve": True})).status_code == 403
    r = await customer_api.post(url, headers=await login("branch01"), json={"approve": True, "note": "同意"})
    assert (r.status_code, r.json()["status"], r.json()["decided_by"]) == (200, "approved", "branch01")
    assert (await customer_api.post(url, headers=await login("branch01"), json={"approve": False})).status_code == 409
    mine = (await customer_api.get("/api/v1/conduct/records?kind=hosting", headers=rm)).json()["items"]
    assert {over.json()["id"], within.json()["id"]} <= {x["id"] for x in mine}
    assert over.json()["id"] not in {x["id"] for x in
                                     (await customer_api.get("/api/v1/conduct/records", headers=await login("rm02"))
                                      ).json()["items"]}


async def test_outside_service_needs_a_second_staff_member_and_a_guard_with_cash(customer_api, login):
    rm = await login("rm01")
    customer = (await create(customer_api, rm)).json()
    body = {"customer_id": customer["id"], "occurred_on": "2026-11-25", "place": "客户仓库", "purpose": "上门开户"}
    for extra, field in (({"second_staff": "rm01"}, "second_staff"), ({"second_staff": "nobody"}, "second_staff")):
        r = await customer_api.post("/api/v1/conduct/outside-service", headers=rm, json={**body, **extra})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.text
    r = await customer_api.post("/api/v1/conduct/outside-service", headers=rm,
                                json={**body, "second_staff": "rm02", "carries_cash": True})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    r = await customer_api.post("/api/v1/conduct/outside-service", headers=rm,
                                json={**body, "second_staff": "rm02", "carries_cash": True, "guard": "保安刘某"})
    assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    url = f"/api/v1/conduct/records/{r.json()['id']}/decide"
    r = await customer_api.post(url, headers=await login("branch01"), json={"approve": True})
    assert (r.status_code, r.json()["code"]) == (403, "conduct_decider")   # BR01 has a deputy head in charge
    r = await customer_api.post(url, headers=await login("vice01"), json={"approve": True})
    assert (r.json()["status"], r.json()["decided_by"]) == ("approved", "vice01")


async def test_outside_service_goes_to_the_branch_head_where_there_is_no_deputy_head(customer_api, login,
                                                                                     second_branch):
    admin = await login("admin")
    r = await customer_api.post("/api/v1/staff", headers=admin, json={
        "username": "branch02", "display_name": "二分行行长", "roles": ["branch_head"], "unit": "BR02",
        "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.text
    rm = await login("rm03")
    customer = (await create(customer_api, rm)).json()
    r = await customer_api.post("/api/v1/conduct/outside-service", headers=rm, json={
        "customer_id": customer["id"], "occurred_on": "2026-11-26", "place": "客户工厂", "purpose": "上门核保",
        "second_staff": "lead02"})
    assert r.status_code == 201, r.text
    url = f"/api/v1/conduct/records/{r.json()['id']}/decide"
    assert (await customer_api.post(url, headers=await login("vice01"), json={"approve": True})).status_code == 404
    r = await customer_api.post(url, headers=await login("branch02"), json={"approve": True})
    assert (r.status_code, r.json()["decided_by"]) == (200, "branch02"), r.text


async def test_a_commitment_letter_is_signed_once_a_year(customer_api, login):
    rm = await login("rm02")
    r = await customer_api.post("/api/v1/conduct/commitment-letters", headers=rm,
                                json={"year": 2026, "text": "本人承诺廉洁从业"})
    assert r.status_code == 201 and r.json()["details"]["text"] == "本人承诺廉洁从业", r.text
    r = await customer_api.post("/api/v1/conduct/commitment-letters", headers=rm, json={"year": 2026, "text": "改写"})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "year"
    letters = (await customer_api.get("/api/v1/conduct/records?kind=commitment", headers=rm)).json()["items"]
    assert [x["details"]["text"] for x in letters if x["staff"] == "rm02"] == ["本人承诺廉洁从业"]

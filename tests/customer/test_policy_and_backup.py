"""The industry policy as effective-dated data with its mark on customers (issue 21 point 11), the
lead's list of retail premium customers without a B岗, and spot checks by the credit deputy head
(point 5, the customer side)."""
import uuid
from datetime import timedelta

from services.customer.cli.seed import DEMO_PASSWORD
from shared.clock import business_today
from tests.customer.helpers import create, deposit_changed, deposit_opened, outbox

# domain.md, Customers: the seed's list, as the migration must have loaded it
SEED_POLICY = {"telecom": "maintain", "power": "maintain", "transport": "maintain", "petroleum": "maintain",
               "education": "grow", "ports": "grow", "electronics": "grow",
               "steel": "control", "cement": "control", "real_estate": "control", "automobiles": "control"}


async def test_the_seeded_policy_list_is_complete_and_in_effect_today(customer_api, login):
    rows = (await customer_api.get(f"/api/v1/org/industry-policies?on={business_today()}&limit=200",
                                   headers=await login("rm01"))).json()["items"]
    assert {r["industry"]: r["policy"] for r in rows if r["set_by"] == "seed"} == SEED_POLICY


async def test_a_control_industry_customer_is_marked_for_the_rm_and_the_risk_manager(customer_api, login,
                                                                                      customer_db):
    car = (await create(customer_api, await login("rm01"), industry="automobiles")).json()
    school = (await create(customer_api, await login("rm01"), industry="education")).json()
    assert (car["industry_policy"], school["industry_policy"]) == ("control", "grow")
    [registered] = await outbox(customer_db, "customer.registered", car["cif"])
    assert registered["data"]["industry_policy"] == "control"
    for who in ("rm01", "risk01"):
        marked = (await customer_api.get("/api/v1/customers?industry_policy=control&limit=200",
                                         headers=await login(who))).json()["items"]
        assert car["id"] in {c["id"] for c in marked} and school["id"] not in {c["id"] for c in marked}, who
        assert {c["industry_policy"] for c in marked} == {"control"}
        shown = (await customer_api.get(f"/api/v1/customers/{car['id']}", headers=await login(who))).json()
        assert shown["industry_policy"] == "control", who


async def test_an_admin_sets_a_new_plans_policy_and_the_old_one_ends_the_day_before(customer_api, login):
    industry, admin = f"shipbuilding_{uuid.uuid4().hex[:6]}", await login("admin")
    url = "/api/v1/org/industry-policies"
    first = {"industry": industry, "policy": "control", "effective_from": "2026-07-01"}
    assert (await customer_api.post(url, json=first, headers=await login("lead01"))).status_code == 403
    assert (await customer_api.post(url, json=first, headers=admin)).status_code == 201
    r = await customer_api.post(url, json={**first, "policy": "grow", "effective_from": "2026-10-01"}, headers=admin)
    assert r.status_code == 201
    assert (await customer_api.post(url, json={**first, "policy": "maintain"}, headers=admin)).status_code == 409

    async def on(day):
        rows = (await customer_api.get(f"{url}?on={day}&limit=200", headers=admin)).json()["items"]
        return [(r["policy"], r["effective_from"], r["effective_to"]) for r in rows if r["industry"] == industry]
    assert await on("2026-06-30") == []
    assert await on("2026-09-30") == [("control", "2026-07-01", "2026-09-30")]
    assert await on("2026-10-01") == [("grow", "2026-10-01", None)]
    customer = (await create(customer_api, await login("rm01"), industry=industry)).json()
    assert customer["industry_policy"] == "grow"


async def premium(api, login, apply_event, amount, kind="retail", day=None):
    """A customer of rm01 whose deposits come to `amount` (a retail tier is its AUM)."""
    c = (await create(api, await login("rm01"), kind=kind, name=f"B岗核查{uuid.uuid4().hex[:6]}")).json()
    day = day or business_today().replace(day=1).isoformat()
    await apply_event(deposit_opened(c["cif"], f"D{c['cif']}", day=day))
    await apply_event(deposit_changed(c["cif"], f"D{c['cif']}", amount, amount, day=day))
    return c


async def test_the_lead_lists_retail_premium_customers_without_a_b_manager(customer_api, login, apply_event):
    gold = await premium(customer_api, login, apply_event, "600000.00")
    covered = await premium(customer_api, login, apply_event, "1200000.00")   # within rm02's grade
    standard = await premium(customer_api, login, apply_event, "100000.00")
    corporate = await premium(customer_api, login, apply_event, "3000000.00", kind="corporate")
    r = await customer_api.post(f"/api/v1/customers/{covered['id']}/transfer", headers=await login("lead01"),
                                json={"to": "rm02", "reason": "优质客户设B岗", "role": "B"})
    assert r.status_code == 200, r.text
    listed = (await customer_api.get("/api/v1/customers?missing_b=true&q=B岗核查&limit=200",
                                     headers=await login("lead01"))).json()["items"]
    mine = {c["id"]: c for c in listed if c["id"] in {gold["id"], covered["id"], standard["id"], corporate["id"]}}
    assert set(mine) == {gold["id"]} and mine[gold["id"]]["tier"] == "gold" and mine[gold["id"]]["missing_b"]
    corporate_now = (await customer_api.get(f"/api/v1/customers/{corporate['id']}", headers=await login("lead01")))
    assert corporate_now.json()["tier"] == "one_to_one" and not corporate_now.json()["missing_b"]


async def test_a_tier_change_names_the_b_manager_so_a_premium_customer_without_one_is_seen(
        customer_api, login, customer_db, apply_event):
    with_b = (await create(customer_api, await login("rm01"), kind="retail")).json()
    r = await customer_api.post(f"/api/v1/customers/{with_b['id']}/transfer", headers=await login("lead01"),
                                json={"to": "rm02", "reason": "设B岗", "role": "B"})
    assert r.status_code == 200, r.text
    without_b = (await create(customer_api, await login("rm01"), kind="retail")).json()
    for c in (with_b, without_b):
        await apply_event(deposit_opened(c["cif"], f"D{c['cif']}"))
        await apply_event(deposit_changed(c["cif"], f"D{c['cif']}", "700000.00", "700000.00"))
    [raised] = await outbox(customer_db, "customer.tier-changed", with_b["cif"])
    [alone] = await outbox(customer_db, "customer.tier-changed", without_b["cif"])
    assert (raised["data"]["to_tier"], raised["data"]["backup_owner"]) == ("gold", "rm02")
    assert (alone["data"]["to_tier"], alone["data"]["backup_owner"]) == ("gold", None)


async def test_the_lead_the_branch_head_and_the_credit_deputy_head_spot_check_the_work_log(customer_api, login):
    r = await customer_api.post("/api/v1/staff", headers=await login("admin"), json={
        "username": "deputy01", "display_name": "钱副行长", "roles": ["credit_deputy_head"], "unit": "SB01",
        "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.text
    c = (await create(customer_api, await login("rm01"))).json()
    yesterday = (business_today() - timedelta(days=1)).isoformat()
    entry = (await customer_api.post(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"),
                                     json={"channel": "phone", "occurred_on": yesterday, "notes": "电话回访"})).json()
    log = (await customer_api.get(f"/api/v1/worklog?day={yesterday}&rm=rm01", headers=await login("deputy01"))).json()
    assert entry["id"] in {i["id"] for i in log["items"]}
    url = f"/api/v1/interactions/{entry['id']}/spot-check"
    assert (await customer_api.post(url, headers=await login("risk01"))).status_code == 403
    checked = await customer_api.post(url, headers=await login("deputy01"))
    assert checked.status_code == 200 and checked.json()["spot_checked_by"] == "deputy01"
    for checker in ("lead01", "branch01"):    # the seed: the lead, the branch head or the credit deputy head
        entry = (await customer_api.post(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"),
                                         json={"channel": "visit", "occurred_on": yesterday, "notes": "上门"})).json()
        log = await customer_api.get(f"/api/v1/worklog?day={yesterday}&rm=rm01&limit=200", headers=await login(checker))
        assert entry["id"] in {i["id"] for i in log.json()["items"]}, checker
        checked = await customer_api.post(f"/api/v1/interactions/{entry['id']}/spot-check",
                                          headers=await login(checker))
        assert (checked.status_code, checked.json()["spot_checked_by"]) == (200, checker), checked.text
    assert (await customer_api.post(url, headers=await login("rm02"))).status_code == 404   # not rm02's to see

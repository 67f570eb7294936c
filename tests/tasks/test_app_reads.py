"""What the phone app reads from the tasks service: one task by id within scope, one customer's tasks,
the coming week beside today, the customer's name on every item, the lead's queue of customers nobody
registered, and sentences without raw codes."""
import uuid
from datetime import timedelta

from shared.clock import business_today
from tests.support import core_event, loan_due, unique_cif
from tests.tasks.conftest import customer_event, owned_customer, staff_event, tasks_for


async def test_one_task_is_read_by_id_with_its_customers_name_and_is_not_found_outside_scope(
        apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event, name="华东机电有限公司")
    await apply_event(loan_due(cif, "L-ONE", "2031-03-31"))
    [task] = await tasks_for(tasks_db, cif)
    r = await tasks_api.get(f"/api/v1/tasks/{task.id}", headers=as_user("rm01"))
    assert r.status_code == 200 and (r.json()["id"], r.json()["customer_name"]) == (str(task.id), "华东机电有限公司")
    assert (await tasks_api.get(f"/api/v1/tasks/{task.id}", headers=as_user("rm02"))).status_code == 404
    assert (await tasks_api.get(f"/api/v1/tasks/{uuid.uuid4()}", headers=as_user("rm01"))).status_code == 404


async def test_tasks_filtered_by_customer_hold_only_that_customers_tasks(apply_event, tasks_api, as_user):
    mine, other = await owned_customer(apply_event), await owned_customer(apply_event)
    await apply_event(loan_due(mine, "L-F1", "2031-03-31"))
    await apply_event(loan_due(other, "L-F2", "2031-03-31"))
    ref = customer_event("customer.registered", mine)["data"]["customer_ref"]
    r = await tasks_api.get("/api/v1/tasks", params={"customer_id": ref, "limit": 200}, headers=as_user("rm01"))
    assert r.status_code == 200 and {i["cif"] for i in r.json()["items"]} == {mine}
    assert all(i["customer_name"] == "测试公司" for i in r.json()["items"])


async def test_a_misspelt_filter_is_refused_naming_the_parameter_instead_of_answering_everything(tasks_api, as_user):
    r = await tasks_api.get("/api/v1/tasks", params={"customer": "x"}, headers=as_user("rm01"))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] == "customer" and "customer_id" in r.json()["errors"][0]["reason"]


async def test_the_upcoming_agenda_holds_the_next_seven_calendar_days_and_not_today(apply_event, tasks_api, as_user):
    await apply_event(staff_event("rm01", ["rm"], "HQ/BR01/SB01", "T01"))
    cif = await owned_customer(apply_event, name="滨江贸易有限公司")
    ref = customer_event("customer.registered", cif)["data"]["customer_ref"]
    today = business_today()
    titles = {}
    for days in (0, 3, 7, 10):
        title = f"走访 {uuid.uuid4().hex[:6]} +{days}"
        titles[days] = title
        r = await tasks_api.post("/api/v1/tasks", headers=as_user("lead01"), json={
            "assignee": "rm01", "title": title, "customer_id": ref,
            "due_date": (today + timedelta(days=days)).isoformat()})
        assert r.status_code == 201, r.text
    r = await tasks_api.get("/api/v1/me/agenda/upcoming", params={"date": today.isoformat()}, headers=as_user("rm01"))
    assert r.status_code == 200 and r.json()["until"] == (today + timedelta(days=7)).isoformat()
    upcoming = [i for i in r.json()["items"] if i["cif"] == cif]
    assert [i["title"] for i in upcoming] == [titles[3], titles[7]]
    assert upcoming[0]["customer_name"] == "滨江贸易有限公司" and "3 天后到期" in upcoming[0]["rank_reason"]
    today_items = (await tasks_api.get("/api/v1/me/agenda", params={"date": today.isoformat()},
                                       headers=as_user("rm01"))).json()["items"]
    [today_item] = [i for i in today_items if i["cif"] == cif]
    assert (today_item["title"], today_item["customer_name"]) == (titles[0], "滨江贸易有限公司")


async def test_the_team_lead_sees_the_queue_of_a_customer_nobody_registered_and_an_rm_does_not(
        apply_event, tasks_api, as_user):
    stranger = unique_cif()   # core banking knows the CIF; no unit has registered it yet
    await apply_event(loan_due(stranger, "L-Q", "2031-03-31"))
    day = "2031-03-31"
    team = await tasks_api.get("/api/v1/teams/T01/agenda", params={"date": day}, headers=as_user("lead01"))
    assert stranger in {i["cif"] for i in team.json()["unassigned"]}
    queue = await tasks_api.get("/api/v1/tasks", params={"assignee": "unassigned", "limit": 200},
                                headers=as_user("lead01"))
    assert stranger in {i["cif"] for i in queue.json()["items"]}
    mine = await tasks_api.get("/api/v1/tasks", params={"limit": 200}, headers=as_user("rm01"))
    assert stranger not in {i["cif"] for i in mine.json()["items"]}


async def test_sentences_name_loan_classes_tiers_and_states_in_words_not_codes(apply_event, tasks_db, tasks_api,
                                                                               as_user):
    cif = await owned_customer(apply_event)
    await apply_event(core_event("loan.classified", cif, {"customer_id": cif, "loan_id": "L-SM", "as_of": "2026-11-25",
                                                          "from_class": "normal", "to_class": "special_mention"}))
    await apply_event(customer_event("customer.tier-changed", cif, kind="corporate", from_tier="standard",
                                     to_tier="one_to_one", owner="rm01"))
    r = await tasks_api.get("/api/v1/tasks", params={"customer_id": customer_event("customer.registered", cif)
                                                     ["data"]["customer_ref"]}, headers=as_user("rm01"))
    titles = {i["rule"]: i["title"] for i in r.json()["items"]}
    assert titles["loan_downgraded"] == "风险复核：贷款 L-SM 五级分类下调为 关注"
    assert titles["tier_review"] == "关系复核：客户等级由 普通 变为 一对一"
    [done] = [t for t in await tasks_for(tasks_db, cif) if t.rule == "tier_review"]
    ok = await tasks_api.post(f"/api/v1/tasks/{done.id}/complete", json={"outcome": "已复核"}, headers=as_user("rm01"))
    assert ok.status_code == 200
    again = await tasks_api.post(f"/api/v1/tasks/{done.id}/complete", json={"outcome": "再次"}, headers=as_user("rm01"))
    assert again.status_code == 409 and again.json()["detail"] == "任务已完成，不能再办理"
    english = await tasks_api.post(f"/api/v1/tasks/{done.id}/complete", json={"outcome": "again"},
                                   headers=as_user("rm01", **{"Accept-Language": "en"}))
    assert english.json()["detail"] == "The task is already done"

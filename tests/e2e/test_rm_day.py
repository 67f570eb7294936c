"""One RM's day through the running system (gateway, customer, tasks and appraisal processes, Kafka):
plan the day with two tasks and an appointment → log the visit for the appointment → register a
marketing result → a later `deposit.opened` confirms it → the daily summary shows all of it → the lead
sees it submitted; the auditor reads each of the day's writes on the tasks service's trail."""
from datetime import datetime

import pytest

from shared.clock import BANK_TZ
from tests.e2e.conftest import Api, running_stack
from tests.support import core_event, publish, unique_cif, wait_for
from tools.watch import query

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api(pg_server, tmp_path_factory):
    with running_stack("postgres", pg_server, tmp_path_factory.mktemp("rmday"), "rmday") as stack:
        yield Api(stack)


async def test_one_rms_day_from_plan_to_the_submitted_summary(api):
    # The summary covers the day's completed tasks, and completion is stamped with the real clock: so today.
    today = datetime.now(BANK_TZ).date().isoformat()
    r = await api.call("POST", "/customers", "rm01", json={"cif": unique_cif(), "name": "赵敏", "kind": "retail"})
    assert r.status_code == 201, r.text
    customer_id, cif = r.json()["id"], r.json()["cif"]
    tasks = []

    async def tasks_knows_rm01():   # an ad-hoc task's assignee must be on the tasks service's staff book
        return await query(api.stack, "tasks", "SELECT 1 FROM staff_book WHERE username = 'rm01'")

    await wait_for(tasks_knows_rm01, timeout=30, what="rm01 in the tasks service's staff book")
    for title in ("准备理财产品资料", "回访上周开户客户"):
        r = await api.call("POST", "/tasks", "lead01", json={"assignee": "rm01", "title": title, "due_date": today})
        assert r.status_code == 201, r.text
        tasks.append(r.json()["id"])
    visit = {"customer_id": customer_id, "starts_at": f"{today}T10:00:00+08:00", "ends_at": f"{today}T11:00:00+08:00",
             "place": "客户家中", "purpose": "介绍大额存单"}

    async def booked():   # the tasks service learns of the customer from customer.events
        r = await api.call("POST", "/appointments", "rm01", json=visit)
        return r if r.status_code == 201 else None

    appointment = (await wait_for(booked, what="the appointment booked once tasks knows the customer")).json()
    clash = await api.call("POST", "/appointments", "rm01", json={**visit, "starts_at": f"{today}T10:30:00+08:00"})
    assert clash.status_code == 409
    plan = {"items": [{"kind": "task", "id": tasks[0], "note": "上午完成"},
                      {"kind": "appointment", "id": appointment["id"], "note": "带宣传册"},
                      {"kind": "task", "id": tasks[1], "note": "下午"}], "note": "先准备后拜访"}
    r = await api.call("PUT", f"/me/day-plan?date={today}", "rm01", json=plan)
    assert r.status_code == 200, r.text
    r = await api.call("GET", f"/me/day-plan?date={today}", "rm01")
    assert [i["id"] for i in r.json()["items"]] == [tasks[0], appointment["id"], tasks[1]]
    home = (await api.call("GET", "/me/home", "rm01")).json()
    assert appointment["id"] in {a["id"] for a in home["agenda"]["appointments"]}

    r = await api.call("POST", f"/customers/{customer_id}/interactions", "rm01",
                       json={"channel": "visit", "occurred_on": today, "notes": "客户有意购买大额存单"})
    assert r.status_code == 201, r.text
    r = await api.call("POST", f"/tasks/{tasks[0]}/complete", "rm01", json={"outcome": "资料已备齐"})
    assert r.status_code == 200, r.text
    r = await api.call("POST", "/marketing-results", "rm01",
                       json={"customer_id": customer_id, "category": "deposit", "amount": "500000.00", "date": today})
    assert r.status_code == 201 and r.json()["status"] == "registered", r.text
    result_id = r.json()["id"]
    await publish(api.stack.kafka, "corebanking.deposits", cif, core_event(
        "deposit.opened", cif, {"account_id": f"A-{cif}", "customer_id": cif, "product": "time", "currency": "CNY",
                                "opened_on": today}, business_date=today))

    async def summary_has_it_all():
        r = await api.call("GET", f"/me/summaries/daily?date={today}", "rm01")
        content = r.json()["content"]
        results = [m for m in content["marketing_results"] if m["ref"] == result_id]
        done = ([a["status"] for a in content["appointments"]] == ["kept"] and len(content["interactions"]) == 1
                and [t["id"] for t in content["tasks_completed"]] == [tasks[0]]
                and [m["status"] for m in results] == ["confirmed"])
        return content if done else None

    content = await wait_for(summary_has_it_all, timeout=30, what="the daily summary with the confirmed result")
    assert content["marketing_results"][0]["amount"] == "500000.00"
    r = await api.call("PUT", f"/me/summaries/daily?date={today}", "rm01", json={"notes": "拜访顺利，客户已开户"})
    assert r.status_code == 200 and r.json()["status"] == "submitted", r.text

    status = (await api.call("GET", f"/teams/T01/summaries?date={today}", "lead01")).json()
    assert {s["rm"]: s["submitted"] for s in status}["rm01"] is True
    read = (await api.call("GET", f"/me/summaries/daily?date={today}&rm=rm01", "lead01")).json()
    assert (read["status"], read["notes"]) == ("submitted", "拜访顺利，客户已开户")
    assert read["content"]["counts"]["marketing_results"] == 1
    # every write of the day is on the tasks service's audit trail, read through the gateway by the auditor
    trail = await api.call("GET", "/tasks/audit?actor=rm01", "audit01")
    assert trail.status_code == 200, trail.text
    actions = [(e["action"], e["subject"]) for e in trail.json()]
    assert [a for a in actions if a[1] in {appointment["id"], tasks[0], f"rm01:{today}"}] == [
        ("appointment.booked", appointment["id"]), ("day_plan.saved", f"rm01:{today}"),
        ("task.completed", tasks[0]), ("summary.submitted", f"rm01:{today}")]
    assert (await api.call("GET", "/tasks/audit", "rm01")).status_code == 403

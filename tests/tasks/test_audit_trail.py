"""Every write through the tasks service is audited (issue 17, "every new write is scoped, audited"):
appointments booked and cancelled, day plans, summaries, the task lifecycle, ad-hoc tasks, rules and the
calendar each leave one entry naming who did what to which subject, committed with the write (a refused
write leaves none); auditors read their unit subtree's trail at `GET /tasks/audit`, admins all of it,
nobody else; the trail cannot be rewritten."""
from datetime import timedelta

import pytest
from sqlalchemy import text

from shared.clock import business_today
from tests.support import loan_due, unique_cif
from tests.tasks.conftest import customer_event, owned_customer, staff_event, tasks_for

FAR = "HQ/BR09/SB09"


def ref_of(cif: str) -> str:
    return customer_event("customer.registered", cif)["data"]["customer_ref"]


def appointment(cif: str, day: str, hour: int, **extra) -> dict:
    return {"customer_id": ref_of(cif), "starts_at": f"{day}T{hour:02d}:00:00+08:00",
            "ends_at": f"{day}T{hour:02d}:45:00+08:00", "place": "客户办公室", "purpose": "年度走访", **extra}


async def trail(tasks_api, as_user, reader: str = "audit01", **filters) -> list[dict]:
    r = await tasks_api.get("/api/v1/tasks/audit", params=filters, headers=as_user(reader))
    assert r.status_code == 200, r.text
    return r.json()


async def test_each_write_of_the_rms_day_and_the_task_lifecycle_leaves_one_entry(apply_event, tasks_db, tasks_api,
                                                                                  as_user):
    await apply_event(staff_event("rm02", ["rm"], "HQ/BR01/SB01", "T01"))
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-AUD", "2030-12-31"))
    [collection] = await tasks_for(tasks_db, cif)

    booked = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"),
                                  json=appointment(cif, "2027-03-02", 10))
    clash = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"),
                                 json=appointment(cif, "2027-03-02", 10))
    assert (booked.status_code, clash.status_code) == (201, 409)
    aid = booked.json()["id"]
    plan = await tasks_api.put("/api/v1/me/day-plan?date=2027-03-02", headers=as_user("rm01"), json={
        "items": [{"kind": "appointment", "id": aid, "note": "带资料"}, {"kind": "task", "id": str(collection.id)}],
        "note": "上午拜访"})
    summary = await tasks_api.put("/api/v1/me/summaries/daily?date=2027-03-02", headers=as_user("rm01"),
                                  json={"notes": "拜访一户"})
    cancelled = await tasks_api.post(f"/api/v1/appointments/{aid}/cancel", headers=as_user("lead01"))
    started = await tasks_api.post(f"/api/v1/tasks/{collection.id}/start", headers=as_user("rm01"))
    completed = await tasks_api.post(f"/api/v1/tasks/{collection.id}/complete", headers=as_user("rm01"),
                                     json={"outcome": "已通知客户", "maturity_outcome": "renewed"})
    adhoc = await tasks_api.post("/api/v1/tasks", headers=as_user("lead01"), json={
        "assignee": "rm02", "title": "核实抵押物", "due_date": (business_today() + timedelta(days=3)).isoformat(),
        "customer_id": ref_of(cif)})
    withdrawn = await tasks_api.post(f"/api/v1/tasks/{adhoc.json()['id']}/cancel", headers=as_user("lead01"),
                                     json={"reason": "客户已自行提交"})
    assert [r.status_code for r in (plan, summary, cancelled, started, completed, adhoc, withdrawn)] == \
        [200, 200, 200, 200, 200, 201, 200]

    entries = [e for e in await trail(tasks_api, as_user)
               if e["subject"] in {aid, str(collection.id), adhoc.json()["id"], "rm01:2027-03-02"}]
    assert [(e["actor"], e["action"], e["subject"]) for e in entries] == [
        ("rm01", "appointment.booked", aid),                 # the refused clash left nothing
        ("rm01", "day_plan.saved", "rm01:2027-03-02"),
        ("rm01", "summary.submitted", "rm01:2027-03-02"),
        ("lead01", "appointment.cancelled", aid),
        ("rm01", "task.started", str(collection.id)),
        ("rm01", "task.completed", str(collection.id)),
        ("lead01", "task.assigned", adhoc.json()["id"]),
        ("lead01", "task.cancelled", adhoc.json()["id"]),
    ]
    detail = {e["action"]: e["detail"] for e in entries}
    assert (detail["appointment.booked"]["cif"], detail["appointment.booked"]["starts_at"]) == \
        (cif, "2027-03-02T02:00:00+00:00")
    assert [i["id"] for i in detail["day_plan.saved"]["items"]] == [aid, str(collection.id)]
    assert detail["summary.submitted"]["notes"] == "拜访一户"
    assert (detail["task.completed"]["outcome"], detail["task.completed"]["maturity_outcome"]) == \
        ("已通知客户", "renewed")
    assert (detail["task.assigned"]["assignee"], detail["task.cancelled"]["reason"]) == ("rm02", "客户已自行提交")
    assert {e["unit_path"] for e in entries} == {"HQ/BR01/SB01"}
    assert all(e["at"] and e["seq"] for e in entries)


async def test_rule_and_calendar_changes_are_audited(tasks_api, as_user):
    rule = await tasks_api.put("/api/v1/tasks/rules/birthday", headers=as_user("admin"),
                               json={"params": {"lead_days": 4}})
    day = await tasks_api.put("/api/v1/tasks/calendar/2031-05-06", headers=as_user("admin"),
                              json={"day": "2031-05-06", "business_day": False, "note": "分行临时停业"})
    assert (rule.status_code, day.status_code) == (200, 200), (rule.text, day.text)
    [changed] = await trail(tasks_api, as_user, "admin", action="rule.changed", subject="birthday")
    assert (changed["actor"], changed["detail"]["params"]["lead_days"]) == ("admin", 4)
    [closed] = await trail(tasks_api, as_user, "admin", subject="2031-05-06")
    assert (closed["action"], closed["detail"]) == ("calendar.changed", {"business_day": False, "note": "分行临时停业"})


async def test_auditors_read_their_subtree_admins_all_and_no_one_else(apply_event, tasks_api, as_user):
    far = unique_cif()
    await apply_event(staff_event("rm09", ["rm"], FAR, "T09"))
    await apply_event(customer_event("customer.registered", far, unit="SB09", unit_path=FAR))
    await apply_event(customer_event("customer.assigned", far, owner="rm09", owner_team="T09", unit="SB09",
                                     unit_path=FAR))
    near = await owned_customer(apply_event)
    booked = {}
    for who, cif, rm in (("admin", far, "rm09"), ("rm01", near, None)):
        r = await tasks_api.post("/api/v1/appointments", headers=as_user(who),
                                 json=appointment(cif, "2027-04-06", 9, **({"rm": rm} if rm else {})))
        assert r.status_code == 201, r.text
        booked[cif] = r.json()["id"]
    seen_by = {who: {e["subject"] for e in await trail(tasks_api, as_user, who, action="appointment.booked")}
               for who in ("audit01", "admin")}
    assert booked[near] in seen_by["audit01"] and booked[far] not in seen_by["audit01"]
    assert {booked[near], booked[far]} <= seen_by["admin"]
    for who in ("rm01", "lead01", "branch01", "risk01"):
        r = await tasks_api.get("/api/v1/tasks/audit", headers=as_user(who))
        assert (r.status_code, r.json()["code"]) == (403, "auditors_only"), who
    bad = await tasks_api.get("/api/v1/tasks/audit?limit=0", headers=as_user("audit01"))
    assert (bad.status_code, bad.headers["content-type"].split(";")[0], bad.json()["errors"][0]["field"]) == \
        (422, "application/problem+json", "limit")
    first = await trail(tasks_api, as_user, "admin", limit=1)
    rest = await trail(tasks_api, as_user, "admin", after_seq=first[0]["seq"])
    assert rest and all(e["seq"] > first[0]["seq"] for e in rest)


async def test_the_trail_cannot_be_rewritten(tasks_db, tasks_api, as_user):
    r = await tasks_api.put("/api/v1/tasks/calendar/2031-06-03", headers=as_user("admin"),
                            json={"day": "2031-06-03", "business_day": False})
    assert r.status_code == 200
    async with tasks_db() as s:
        for statement in ("UPDATE task_audit SET actor = 'someone'", "DELETE FROM task_audit"):
            with pytest.raises(Exception, match="append-only"):
                await s.execute(text(statement))
            await s.rollback()


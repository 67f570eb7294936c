"""Lifecycle open → in_progress → done / cancelled, transfer, ad-hoc tasks from leads, the team view,
and the agenda's explained ranking."""
from datetime import timedelta

from sqlmodel import select

from services.tasks.models import Task
from shared.clock import business_today
from tests.support import core_event, loan_due
from tests.tasks.conftest import customer_event, outbox_events, owned_customer, staff_event, tasks_for


async def test_transfer_moves_open_tasks_to_the_new_owner_and_leaves_done_ones_with_the_old(apply_event, tasks_db,
                                                                                          tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-T1", "2030-12-31"))
    await apply_event(loan_due(cif, "L-T2", "2031-06-30"))
    done, still_open = sorted(await tasks_for(tasks_db, cif), key=lambda t: t.subject)
    r = await tasks_api.post(f"/api/v1/tasks/{done.id}/complete",
                             json={"outcome": "已通知", "maturity_outcome": "collected"},
                             headers=as_user("rm01"))
    assert r.status_code == 200
    await apply_event(customer_event("customer.assigned", cif, owner="rm02", previous_owner="rm01"))
    by_subject = {t.subject: t for t in await tasks_for(tasks_db, cif)}
    assert (by_subject["L-T1"].assignee, by_subject["L-T1"].status) == ("rm01", "done")
    assert (by_subject["L-T2"].assignee, by_subject["L-T2"].status) == ("rm02", "open")


async def test_a_task_is_started_then_completed_with_an_outcome(apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-S", "2030-12-31"))
    [task] = await tasks_for(tasks_db, cif)
    r = await tasks_api.post(f"/api/v1/tasks/{task.id}/start", headers=as_user("rm01"))
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = await tasks_api.post(f"/api/v1/tasks/{task.id}/complete", json={"outcome": "已上门拜访",
                                                                        "maturity_outcome": "extended"},
                             headers=as_user("rm01"))
    assert r.json()["status"] == "done" and r.json()["outcome"] == "已上门拜访"


async def test_only_a_lead_cancels_a_task_and_the_cancellation_is_announced(apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-C", "2030-12-31"))
    [task] = await tasks_for(tasks_db, cif)
    r = await tasks_api.post(f"/api/v1/tasks/{task.id}/cancel", json={"reason": "客户已移交总行"},
                             headers=as_user("rm01"))
    assert r.status_code == 403
    r = await tasks_api.post(f"/api/v1/tasks/{task.id}/cancel", json={"reason": "客户已移交总行"},
                             headers=as_user("lead01"))
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["cancel_reason"] == "客户已移交总行"
    [event] = await outbox_events(tasks_db, "task.cancelled", cif)
    assert event["reason"] == "客户已移交总行"


async def test_a_lead_assigns_an_ad_hoc_task_once_per_idempotency_key(apply_event, tasks_db, tasks_api, as_user):
    await apply_event(staff_event("rm02", ["rm"], "HQ/BR01/SB01", "T01"))
    cif = await owned_customer(apply_event)
    ref = customer_event("customer.registered", cif)["data"]["customer_ref"]
    due = (business_today() + timedelta(days=2)).isoformat()
    body = {"assignee": "rm02", "title": "走访核实抵押物", "due_date": due, "customer_id": ref}
    headers = as_user("lead01", **{"Idempotency-Key": "k-adhoc-1"})
    first = await tasks_api.post("/api/v1/tasks", json=body, headers=headers)
    again = await tasks_api.post("/api/v1/tasks", json=body, headers=headers)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    item = first.json()
    assert (item["assignee"], item["title"], item["cif"], item["kind"]) == ("rm02", "走访核实抵押物", cif, "adhoc")
    assert "lead01" in item["reason"]
    agenda = (await tasks_api.get(f"/api/v1/me/agenda?date={due}", headers=as_user("rm02"))).json()
    assert item["id"] in {i["id"] for i in agenda["items"]}
    assert len(await outbox_events(tasks_db, "task.created", cif)) == 1
    r = await tasks_api.post("/api/v1/tasks", json=body, headers=as_user("rm01"))
    assert r.status_code == 403


async def test_a_lead_cannot_assign_to_someone_outside_the_team(apply_event, tasks_api, as_user):
    await apply_event(staff_event("rm09", ["rm"], "HQ/BR01/SB02", "T09"))
    body = {"assignee": "rm09", "title": "x", "due_date": (business_today() + timedelta(days=1)).isoformat()}
    r = await tasks_api.post("/api/v1/tasks", json=body, headers=as_user("lead01"))
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "assignee"


async def test_a_branch_head_assigns_only_to_existing_active_staff_of_their_own_branch(apply_event, tasks_db,
                                                                                      tasks_api, as_user):
    """The finding: a branch head gave a task to another branch's RM (and to names nobody holds)."""
    await apply_event(staff_event("rm31", ["rm"], "HQ/BR03/SB31", "T31"))
    await apply_event(staff_event("rm11", ["rm"], "HQ/BR01/SB01", "T01"))
    due = (business_today() + timedelta(days=1)).isoformat()
    head = as_user("branch01")
    for assignee, status in (("rm31", 403), ("nobody-x", 422)):
        r = await tasks_api.post("/api/v1/tasks", json={"assignee": assignee, "title": "核查", "due_date": due},
                                 headers=head)
        assert r.status_code == status and r.json()["errors"][0]["field"] == "assignee"
        assert await _adhoc_for(tasks_db, assignee) == 0
    ok = await tasks_api.post("/api/v1/tasks", json={"assignee": "rm11", "title": "核查", "due_date": due},
                              headers=head)
    assert ok.status_code == 201 and await _adhoc_for(tasks_db, "rm11") == 1


async def test_an_ad_hoc_task_may_not_be_born_overdue(apply_event, tasks_db, tasks_api, as_user):
    await apply_event(staff_event("rm12", ["rm"], "HQ/BR01/SB01", "T01"))
    yesterday = (business_today() - timedelta(days=1)).isoformat()
    r = await tasks_api.post("/api/v1/tasks", json={"assignee": "rm12", "title": "补资料", "due_date": yesterday},
                             headers=as_user("lead01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "due_date"
    assert await _adhoc_for(tasks_db, "rm12") == 0


async def _adhoc_for(db, assignee: str) -> int:
    async with db() as s:
        return len((await s.exec(select(Task).where(Task.assignee == assignee, Task.kind == "adhoc"))).all())


async def test_team_agenda_shows_each_task_with_its_assignee_and_the_unassigned_queue(apply_event, tasks_api, as_user):
    mine, theirs = await owned_customer(apply_event, owner="rm01"), await owned_customer(apply_event, owner="rm02")
    await apply_event(loan_due(mine, "L-TA1", "2026-12-20", business_date="2026-11-02"))
    await apply_event(loan_due(theirs, "L-TA2", "2026-12-21", business_date="2026-11-02"))
    queued = await owned_customer(apply_event, owner=None)
    await apply_event(loan_due(queued, "L-TA3", "2026-12-22", business_date="2026-11-02"))
    r = await tasks_api.get("/api/v1/teams/T01/agenda?date=2026-11-25", headers=as_user("lead01"))
    agenda = r.json()
    assert {(i["cif"], i["assignee"]) for i in agenda["items"]} >= {(mine, "rm01"), (theirs, "rm02")}
    assert queued in {i["cif"] for i in agenda["unassigned"]}
    assert (await tasks_api.get("/api/v1/teams/T01/agenda", headers=as_user("rm01"))).status_code == 404
    assert (await tasks_api.get("/api/v1/teams/T02/agenda", headers=as_user("lead01"))).status_code == 404


async def test_agenda_ranks_by_due_date_then_exposure_then_tier_then_risk_and_explains(apply_event, tasks_db,
                                                                                    tasks_api, as_user):
    small, large, gold, risky, plain = [await owned_customer(apply_event, owner="rm02") for _ in range(5)]
    await apply_event(customer_event("customer.tier-changed", gold, kind="corporate", from_tier="standard",
                                     to_tier="gold", owner="rm02"))
    await apply_event(core_event("loan.classified", risky, {"customer_id": risky, "loan_id": "L-K4",
                                                            "as_of": "2026-10-01", "from_class": "normal",
                                                            "to_class": "doubtful"}, business_date="2026-10-01"))
    told = "2026-09-01"
    await apply_event(loan_due(small, "L-K1", "2026-12-30", principal_due="1000.00", business_date=told))
    await apply_event(loan_due(large, "L-K2", "2026-12-30", principal_due="900000.00", business_date=told))
    for cif, loan in ((plain, "L-K5"), (gold, "L-K3"), (risky, "L-K4")):
        await apply_event(loan_due(cif, loan, "2026-12-30", principal_due="5000.00", business_date=told))
    agenda = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-30", headers=as_user("rm02"))).json()
    collections = [i for i in agenda["items"] if i["rule"] == "loan_due"]
    order = [i["cif"] for i in collections if i["cif"] in (small, large, gold, risky, plain)]
    assert order == [large, gold, risky, plain, small]   # same due date: exposure, then tier, then risk class
    item = {i["cif"]: i for i in collections}
    assert "客户等级 金卡" in item[gold]["rank_reason"] and "风险分类 可疑" in item[risky]["rank_reason"]
    assert "涉及金额 900350.00 元" in item[large]["rank_reason"] and item[large]["reason"]
    en = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-30",
                              headers=as_user("rm02", **{"Accept-Language": "en"}))).json()
    assert any("overdue first (the most urgent of them first), then due time" in i["rank_reason"] for i in en["items"])
    async with tasks_db() as s:
        assert (await s.exec(select(Task).where(Task.subject == "L-K4", Task.rule == "loan_due"))).one().risk_rank == 1

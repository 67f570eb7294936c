"""The RM's day in the tasks service: appointments (clash refused, missed → follow-up task, in the
agenda), the day plan, summaries drafted from records and events (premium accounts from deposit events),
the lead's view of who has not submitted, and the role × operation × scope matrix of the new routes."""
import uuid
from datetime import date

from sqlmodel import select

from services.tasks.cli.scheduler import run_schedules
from services.tasks.models import Appointment
from tests.support import core_event, loan_due, unique_cif
from tests.tasks.conftest import customer_event, owned_customer, staff_event, tasks_for

RM01_TEAM = staff_event("rm01", ["rm"], "HQ/BR01/SB01", "T01")
RM02_TEAM = staff_event("rm02", ["rm"], "HQ/BR01/SB01", "T01")
FAR_RM = staff_event("rm09", ["rm"], "HQ/BR09/SB09", "T09")


def ref_of(cif: str) -> str:
    return customer_event("customer.registered", cif)["data"]["customer_ref"]


def interaction(cif: str, rm: str, day: str, channel: str = "visit") -> dict:
    return {"id": str(uuid.uuid4()), "type": "interaction.logged", "version": 1, "source": "customer-service",
            "occurred_at": f"{day}T09:00:00Z", "business_date": day, "subject": cif,
            "data": {"interaction_id": str(uuid.uuid4()), "customer_id": cif, "customer_ref": ref_of(cif), "rm": rm,
                     "channel": channel, "occurred_on": day}}


def appointment(cif: str, starts: str, ends: str, **extra) -> dict:
    return {"customer_id": ref_of(cif), "starts_at": starts, "ends_at": ends, "place": "客户办公室",
            "purpose": "理财产品介绍", **extra}


async def test_a_clashing_appointment_is_refused_and_adjacent_ones_are_not(apply_event, tasks_api, as_user):
    await apply_event(RM02_TEAM)
    cif = await owned_customer(apply_event)
    first = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"),
                                 json=appointment(cif, "2026-12-07T10:00:00+08:00", "2026-12-07T11:00:00+08:00"))
    assert first.status_code == 201 and first.json()["status"] == "booked"
    clash = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"),
                                 json=appointment(cif, "2026-12-07T10:30:00+08:00", "2026-12-07T11:30:00+08:00"))
    assert clash.status_code == 409 and clash.headers["content-type"].startswith("application/problem+json")
    adjacent = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"),
                                    json=appointment(cif, "2026-12-07T11:00:00+08:00", "2026-12-07T12:00:00+08:00"))
    assert adjacent.status_code == 201
    other_rm = await tasks_api.post("/api/v1/appointments", headers=as_user("lead01"),
                                    json=appointment(cif, "2026-12-07T10:30:00+08:00", "2026-12-07T11:30:00+08:00",
                                                     rm="rm02"))
    assert other_rm.status_code == 201 and other_rm.json()["rm"] == "rm02"   # a lead books for the team
    cancelled = await tasks_api.post(f"/api/v1/appointments/{first.json()['id']}/cancel", headers=as_user("rm01"))
    assert cancelled.json()["status"] == "cancelled"
    again = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"),
                                 json=appointment(cif, "2026-12-07T10:00:00+08:00", "2026-12-07T10:45:00+08:00"))
    assert again.status_code == 201   # a cancelled appointment no longer holds the time
    listed = await tasks_api.get("/api/v1/appointments?from=2026-12-07&to=2026-12-07", headers=as_user("rm01"))
    assert [a["starts_at"][11:16] for a in listed.json()] == ["02:00", "02:00", "03:00"]   # UTC, rm01's only
    assert {a["rm"] for a in listed.json()} == {"rm01"}


async def test_an_appointment_ending_before_it_starts_is_bad_input(apply_event, tasks_api, as_user):
    cif = await owned_customer(apply_event)
    r = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01", **{"Accept-Language": "en"}),
                             json=appointment(cif, "2026-12-08T10:00:00+08:00", "2026-12-08T09:00:00+08:00"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ends_at"


async def test_a_missed_appointment_becomes_a_follow_up_task_and_a_kept_one_does_not(apply_event, tasks_db,
                                                                                       tasks_api, as_user):
    missed_cif, kept_cif = await owned_customer(apply_event), await owned_customer(apply_event)
    for cif, hour in ((missed_cif, "09"), (kept_cif, "14")):
        slot = (f"2026-12-09T{hour}:00:00+08:00", f"2026-12-09T{hour}:30:00+08:00")
        r = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"), json=appointment(cif, *slot))
        assert r.status_code == 201
    await apply_event(interaction(kept_cif, "rm01", "2026-12-09"))
    await apply_event(interaction(missed_cif, "rm02", "2026-12-09"))   # someone else's visit keeps nothing
    await run_schedules(tasks_db, date(2026, 12, 10))
    [task] = await tasks_for(tasks_db, missed_cif, "missed_appointment")
    assert (task.assignee, task.kind, task.status, task.due_date) == ("rm01", "follow_up", "open", date(2026, 12, 11))
    assert await tasks_for(tasks_db, kept_cif, "missed_appointment") == []
    async with tasks_db() as s:
        states = {a.cif: a.status for a in (await s.exec(select(Appointment).where(
            Appointment.cif.in_((missed_cif, kept_cif))))).all()}
    assert states == {missed_cif: "missed", kept_cif: "kept"}
    await run_schedules(tasks_db, date(2026, 12, 11))
    assert len(await tasks_for(tasks_db, missed_cif, "missed_appointment")) == 1   # once, not every day


async def test_appointments_show_in_the_agenda_and_the_day_plan_orders_own_items(apply_event, tasks_db, tasks_api,
                                                                                  as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-PLAN", "2027-01-20"))
    [task] = await tasks_for(tasks_db, cif)
    booked = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"),
                                  json=appointment(cif, "2026-12-14T15:00:00+08:00", "2026-12-14T16:00:00+08:00"))
    agenda = (await tasks_api.get("/api/v1/me/agenda?date=2026-12-14", headers=as_user("rm01"))).json()
    assert [(a["id"], a["status"]) for a in agenda["appointments"]] == [(booked.json()["id"], "booked")]
    await apply_event(interaction(cif, "rm01", "2026-12-14"))   # the served page is stale now
    agenda = (await tasks_api.get("/api/v1/me/agenda?date=2026-12-14", headers=as_user("rm01"))).json()
    assert [a["status"] for a in agenda["appointments"]] == ["kept"]
    items = [{"kind": "appointment", "id": booked.json()["id"], "note": "带产品资料"},
             {"kind": "task", "id": str(task.id), "note": "电话催收"}]
    r = await tasks_api.put("/api/v1/me/day-plan?date=2026-12-14", headers=as_user("rm01"),
                            json={"items": items, "note": "上午电话，下午拜访"})
    assert r.status_code == 200
    plan = (await tasks_api.get("/api/v1/me/day-plan?date=2026-12-14", headers=as_user("rm01"))).json()
    assert [(i["kind"], i["id"], i["note"]) for i in plan["items"]] == [(i["kind"], i["id"], i["note"]) for i in items]
    assert [(t["id"], t["customer_name"]) for t in plan["tasks"]] == [(str(task.id), "测试公司")]
    assert plan["note"] == "上午电话，下午拜访"
    foreign = await tasks_api.put("/api/v1/me/day-plan?date=2026-12-14", headers=as_user("rm02"), json={"items": items})
    assert foreign.status_code == 404 and foreign.json()["errors"][0]["field"] == "items.0.id"


def deposit(event_type: str, cif: str, account: str, day: str) -> dict:
    data = {"account_id": account, "customer_id": cif}
    data |= ({"product": "savings", "currency": "CNY", "opened_on": day} if event_type == "deposit.opened"
             else {"closed_on": day})
    return core_event(event_type, cif, data, business_date=day)


async def test_the_weekly_summary_counts_premium_accounts_opened_and_closed(apply_event, tasks_api, as_user):
    gold, standard = await owned_customer(apply_event), await owned_customer(apply_event)
    await apply_event(customer_event("customer.tier-changed", gold, kind="retail", from_tier="standard",
                                     to_tier="gold", owner="rm01"))
    opened = deposit("deposit.opened", gold, f"A-{gold}-1", "2026-11-17")
    await apply_event(opened)
    await apply_event(opened)                                                    # re-delivered: once
    await apply_event(deposit("deposit.opened", gold, f"A-{gold}-2", "2026-11-18"))
    await apply_event(deposit("deposit.closed", gold, f"A-{gold}-0", "2026-11-19"))
    await apply_event(deposit("deposit.opened", standard, f"A-{standard}", "2026-11-18"))   # not premium
    await apply_event(deposit("deposit.opened", gold, f"A-{gold}-3", "2026-11-23"))          # the next week
    r = await tasks_api.get("/api/v1/me/summaries/weekly?week=2026-W47", headers=as_user("rm01"))
    content = r.json()["content"]
    assert r.json()["status"] == "draft"
    assert sorted(a["ref"] for a in content["premium_accounts_opened"]) == [f"A-{gold}-1", f"A-{gold}-2"]
    assert [a["ref"] for a in content["premium_accounts_closed"]] == [f"A-{gold}-0"]
    assert (content["counts"]["premium_accounts_opened"], content["counts"]["premium_accounts_closed"]) == (2, 1)
    bad = await tasks_api.get("/api/v1/me/summaries/weekly?week=2026-47", headers=as_user("rm01"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "week"


async def test_the_lead_sees_who_has_not_submitted_the_days_summary(apply_event, tasks_api, as_user):
    for event in (RM01_TEAM, RM02_TEAM, FAR_RM):
        await apply_event(event)
    r = await tasks_api.put("/api/v1/me/summaries/daily?date=2026-12-01", headers=as_user("rm01"),
                            json={"notes": "今日走访两户"})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    status = (await tasks_api.get("/api/v1/teams/T01/summaries?date=2026-12-01", headers=as_user("lead01"))).json()
    by_rm = {s["rm"]: s for s in status}
    assert (by_rm["rm01"]["submitted"], by_rm["rm02"]["submitted"]) == (True, False)
    assert by_rm["rm02"]["due_by"] == "2026-12-02" and by_rm["rm02"]["late"] and not by_rm["rm01"]["late"]
    assert "rm09" not in by_rm
    read = (await tasks_api.get("/api/v1/me/summaries/daily?date=2026-12-01&rm=rm01", headers=as_user("lead01"))).json()
    assert (read["status"], read["notes"]) == ("submitted", "今日走访两户")
    weekly = (await tasks_api.get("/api/v1/teams/T01/summaries?week=2026-W49", headers=as_user("lead01"))).json()
    assert {(s["rm"], s["submitted"], s["due_by"]) for s in weekly} == {("rm01", False, "2026-12-07"),
                                                                        ("rm02", False, "2026-12-07")}


async def test_role_operation_scope_matrix_of_the_rm_day_routes(apply_event, tasks_db, tasks_api, as_user):
    for event in (RM01_TEAM, RM02_TEAM, FAR_RM):
        await apply_event(event)
    mine = await owned_customer(apply_event)
    far = unique_cif()
    await apply_event(customer_event("customer.registered", far, unit="SB09", unit_path="HQ/BR09/SB09"))
    await apply_event(customer_event("customer.assigned", far, owner="rm09", owner_team="T09", unit="SB09",
                                     unit_path="HQ/BR09/SB09"))
    slot = ("2026-12-21T10:00:00+08:00", "2026-12-21T11:00:00+08:00")
    booked = await tasks_api.post("/api/v1/appointments", headers=as_user("rm01"), json=appointment(mine, *slot))
    aid = booked.json()["id"]
    cases = [  # (who, method, path, body, expected status)
        ("rm01", "post", "/api/v1/appointments", appointment(far, *slot), 404),           # customer out of scope
        ("lead01", "post", "/api/v1/appointments",
         appointment(mine, "2026-12-22T10:00:00+08:00", "2026-12-22T11:00:00+08:00", rm="rm09"), 404),
        ("audit01", "post", "/api/v1/appointments", appointment(mine, *slot), 403),
        ("risk01", "post", f"/api/v1/appointments/{aid}/cancel", None, 403),              # sees it, may not
        ("rm02", "post", f"/api/v1/appointments/{aid}/cancel", None, 404),
        ("audit01", "get", "/api/v1/me/day-plan?date=2026-12-21", None, 403),
        ("audit01", "put", "/api/v1/me/day-plan?date=2026-12-21", {"items": []}, 403),
        ("rm01", "get", "/api/v1/me/day-plan?date=2026-12-21", None, 200),
        ("rm01", "put", "/api/v1/me/day-plan?date=2026-12-21",
         {"items": [{"kind": "appointment", "id": aid}]}, 200),
        ("rm02", "put", "/api/v1/me/day-plan?date=2026-12-21",
         {"items": [{"kind": "appointment", "id": aid}]}, 404),                          # another RM's item
        ("rm01", "get", "/api/v1/me/agenda?date=2026-12-21", None, 200),
        ("rm01", "put", "/api/v1/me/summaries/daily?date=2026-12-21", {"notes": "x"}, 200),
        ("audit01", "put", "/api/v1/me/summaries/daily?date=2026-12-21", {"notes": "x"}, 403),
        ("rm01", "get", "/api/v1/me/summaries/weekly?week=2026-W52", None, 200),
        ("audit01", "get", "/api/v1/me/summaries/weekly?week=2026-W52", None, 403),
        ("rm01", "put", "/api/v1/me/summaries/weekly?week=2026-W52", {"notes": "x"}, 200),
        ("lead01", "get", "/api/v1/me/summaries/daily?date=2026-12-21&rm=rm09", None, 404),
        ("branch01", "get", "/api/v1/teams/T01/summaries?week=2026-W52", None, 200),
        ("audit01", "get", "/api/v1/tasks/audit", None, 200),
        ("rm01", "get", "/api/v1/tasks/audit", None, 403),
        ("rm01", "get", "/api/v1/me/summaries/daily?date=2026-12-21", None, 200),
        ("audit01", "get", "/api/v1/me/summaries/daily?date=2026-12-21", None, 403),
        ("audit01", "put", "/api/v1/me/summaries/weekly?week=2026-W52", {"notes": "x"}, 403),
        ("rm02", "get", "/api/v1/me/summaries/daily?date=2026-12-21&rm=rm01", None, 403),
        ("lead01", "get", "/api/v1/me/summaries/weekly?week=2026-W52&rm=rm01", None, 200),
        ("lead01", "get", "/api/v1/me/summaries/weekly?week=2026-W52&rm=rm09", None, 404),
        ("branch01", "get", "/api/v1/me/summaries/daily?date=2026-12-21&rm=rm01", None, 200),
        ("rm01", "get", "/api/v1/teams/T01/summaries?date=2026-12-21", None, 403),
        ("lead01", "get", "/api/v1/teams/T09/summaries?date=2026-12-21", None, 404),
        ("lead01", "get", "/api/v1/teams/T01/summaries?date=2026-12-21", None, 200),
        ("lead01", "get", "/api/v1/appointments?from=2026-12-21&to=2026-12-21", None, 200),
        ("rm01", "post", f"/api/v1/appointments/{aid}/cancel", None, 200),
    ]
    for who, method, path, body, expected in cases:
        kwargs = {"json": body} if body is not None else {}
        r = await getattr(tasks_api, method)(path, headers=as_user(who), **kwargs)
        assert r.status_code == expected, (who, method, path, r.status_code, r.text)
    seen = (await tasks_api.get("/api/v1/appointments?from=2026-12-21&to=2026-12-21", headers=as_user("lead01"))).json()
    assert aid in {a["id"] for a in seen}
    not_seen = (await tasks_api.get("/api/v1/appointments?from=2026-12-21&to=2026-12-21",
                                    headers=as_user("rm02"))).json()
    assert aid not in {a["id"] for a in not_seen}

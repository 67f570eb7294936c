"""Rules and the calendar are data an admin changes: a rule change is a new version that new tasks
record; the 2025–2027 calendar ships as rows (调休 included) and an edited day moves due dates."""
from tests.support import loan_due
from tests.tasks.conftest import outbox_events, owned_customer, tasks_for


async def test_changing_a_rule_makes_a_new_version_that_new_tasks_record(apply_event, tasks_db, tasks_api, as_user):
    before = await owned_customer(apply_event)
    await apply_event(loan_due(before, "L-V1", "2026-12-31", business_date="2026-08-03"))
    r = await tasks_api.put("/api/v1/tasks/rules/loan_due", json={"params": {"lead_days": 45}},
                            headers=as_user("admin"))
    assert r.status_code == 200 and (r.json()["version"], r.json()["params"]["lead_days"]) == (2, 45)
    after = await owned_customer(apply_event)
    await apply_event(loan_due(after, "L-V2", "2026-12-31", business_date="2026-08-03"))
    [old], [new] = await tasks_for(tasks_db, before), await tasks_for(tasks_db, after)
    assert (old.rule_version, str(old.due_date)) == (1, "2026-12-01")
    assert (new.rule_version, str(new.due_date), new.params["lead_days"]) == (2, "2026-11-16", 45)
    rules = (await tasks_api.get("/api/v1/tasks/rules", headers=as_user("admin"))).json()
    assert {r["name"] for r in rules} >= {"loan_due", "loan_overdue", "large_outflow", "maintenance_visit"}
    assert next(r for r in rules if r["name"] == "large_outflow")["params"]["amount"] == 500000


async def test_only_admins_change_rules_and_only_known_numbers(tasks_api, as_user):
    body = {"params": {"lead_days": 10}}
    assert (await tasks_api.put("/api/v1/tasks/rules/loan_due", json=body,
                                headers=as_user("lead01"))).status_code == 403
    r = await tasks_api.put("/api/v1/tasks/rules/loan_due", json={"params": {"lead_dayz": 10}},
                            headers=as_user("admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "params.lead_dayz"


async def test_rule_numbers_outside_their_range_are_refused_and_no_version_is_made(tasks_api, as_user):
    """The finding: lead_days 1e308 dead-lettered every later loan.due; 0 months hung the scheduler."""
    admin = as_user("admin")
    for rule, params, field in (("loan_due", {"lead_days": 1e308}, "lead_days"),
                                ("loan_due", {"lead_days": 2.5}, "lead_days"),
                                ("post_loan_inspection", {"repeat_months_corporate": 0}, "repeat_months_corporate"),
                                ("large_outflow", {"share_of_balance_pct": 101}, "share_of_balance_pct"),
                                ("credit_rating_review", {"month": 2, "day": 30}, "day"),
                                ("monthly_report", {"day": 31}, "day")):
        before = await _rule(tasks_api, admin, rule)
        r = await tasks_api.put(f"/api/v1/tasks/rules/{rule}", json={"params": params}, headers=admin)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == f"params.{field}", (rule, r.text)
        assert await _rule(tasks_api, admin, rule) == before
    ok = await tasks_api.put("/api/v1/tasks/rules/post_loan_inspection",
                             json={"params": {"repeat_months_corporate": 6}}, headers=admin)
    assert ok.status_code == 200 and ok.json()["params"]["repeat_months_corporate"] == 6


async def _rule(api, headers, name: str) -> dict:
    return next(r for r in (await api.get("/api/v1/tasks/rules", headers=headers)).json() if r["name"] == name)


async def test_calendar_ships_public_holidays_and_swapped_working_days_as_data(tasks_api, as_user):
    for year in (2025, 2026, 2027):
        days = (await tasks_api.get(f"/api/v1/tasks/calendar?year={year}", headers=as_user("admin"))).json()
        assert any(not d["business_day"] for d in days), year
    days = {d["day"]: d for d in (await tasks_api.get("/api/v1/tasks/calendar?year=2026",
                                                      headers=as_user("admin"))).json()}
    assert days["2026-10-10"]["business_day"] is True and days["2026-10-01"]["business_day"] is False


async def test_an_admin_closing_a_day_moves_due_dates_off_it(apply_event, tasks_db, tasks_api, as_user):
    body = {"day": "2027-03-01", "business_day": False, "note": "分行系统升级"}
    r = await tasks_api.put("/api/v1/tasks/calendar/2027-03-01", json=body, headers=as_user("admin"))
    assert r.status_code == 200
    await tasks_api.put("/api/v1/tasks/rules/loan_due", json={"params": {"lead_days": 30}},
                        headers=as_user("admin"))
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-CAL", "2027-03-31", business_date="2026-11-25"))  # 30 days → Mon 1 Mar
    [task] = await tasks_for(tasks_db, cif)
    assert str(task.due_date) == "2027-02-26"                 # Monday closed: the Friday before


async def test_setting_and_withdrawing_a_day_is_announced_with_the_write_and_only_by_an_admin(
        tasks_db, tasks_api, as_user):
    url, body = "/api/v1/tasks/calendar/2031-09-10", {"day": "2031-09-10", "business_day": False, "note": "台风停业"}
    assert (await tasks_api.put(url, json=body, headers=as_user("lead01"))).status_code == 403
    assert (await tasks_api.delete(url, headers=as_user("lead01"))).status_code == 403
    assert await outbox_events(tasks_db, "calendar.changed", "2031-09-10") == []
    assert (await tasks_api.put(url, json=body, headers=as_user("admin"))).status_code == 200
    assert (await tasks_api.delete(url, headers=as_user("admin"))).status_code == 204
    assert (await tasks_api.delete(url, headers=as_user("admin"))).status_code == 204   # nothing left: no event
    assert await outbox_events(tasks_db, "calendar.changed", "2031-09-10") == [
        {"day": "2031-09-10", "business_day": False, "reason": "台风停业"},
        {"day": "2031-09-10", "business_day": None, "reason": "台风停业"}]
    days = (await tasks_api.get("/api/v1/tasks/calendar?year=2031", headers=as_user("admin"))).json()
    assert "2031-09-10" not in {d["day"] for d in days}

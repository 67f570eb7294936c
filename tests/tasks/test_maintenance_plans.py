"""Maintenance plans as the bank practises them (domain "Daily tasks" 2): cumulative plans — monthly for
≥ 500k, quarterly also for ≥ 1M, half-yearly also for ≥ 2M — a contact per band at the bank's cadence,
one logged contact counting for every plan, the outlet head copied; one-to-one corporate customers get
a monthly contact."""
import uuid
from datetime import date, timedelta

from services.tasks.cli.scheduler import run_schedules
from tests.tasks.conftest import customer_event, owned_customer, scheduled, staff_event


def interaction(cif: str, occurred_on: str, rm: str = "rm01") -> dict:
    return {"id": str(uuid.uuid4()), "type": "interaction.logged", "version": 1, "source": "customer-service",
            "occurred_at": f"{occurred_on}T08:00:00Z", "business_date": occurred_on, "subject": cif,
            "data": {"interaction_id": f"I-{uuid.uuid4().hex[:8]}", "customer_id": cif, "customer_ref": "ref",
                     "rm": "rm01", "channel": "phone", "occurred_on": occurred_on}}


def touches(visits, plans, cif: str) -> int:
    """A maintenance touch: a contact task for the customer, or a line naming them in a plan."""
    return (sum(t.cif == cif for t in visits)
            + sum(line["cif"] == cif for p in plans for line in p.params["customers"]))


async def test_a_year_of_daily_scheduler_runs_gives_the_richest_customers_the_most_maintenance(bank):
    gold, platinum, private = [await bank.customer(tier=t) for t in ("gold", "platinum", "private")]
    day = date(2027, 1, 1)
    while day.year == 2027:   # `cli.scheduler --once --date` day by day
        await run_schedules(bank.sessions, day)
        day += timedelta(days=1)
    visits, plans = await scheduled(bank.sessions, "maintenance_visit"), await scheduled(bank.sessions,
                                                                                         "maintenance_plan")
    # default cadence: every band contacted monthly; plans 12 monthly + 4 quarterly + 2 half-yearly
    assert [touches(visits, plans, c) for c in (gold, platinum, private)] == [12 + 12, 12 + 12 + 4, 12 + 12 + 4 + 2]
    assert sorted((p.params["band"], p.params["period"]) for p in plans if p.anchor_date == date(2027, 7, 1)) == [
        ("gold", "2027-07"), ("platinum", "2027-Q3"), ("private", "2027-H2")]


async def test_a_plan_lists_band_last_contact_and_what_is_due_and_the_outlet_head_is_copied(bank):
    await bank(staff_event("bh01", ["branch_head"], "HQ/BR01/SB01"))
    gold, private = await bank.customer(tier="gold"), await bank.customer(tier="private")
    await bank.customer(tier="standard")
    await run_schedules(bank.sessions, date(2027, 1, 1))
    await bank(interaction(private, "2027-01-12"))
    await run_schedules(bank.sessions, date(2027, 2, 1))
    [january] = [v for v in await scheduled(bank.sessions, "maintenance_visit") if v.cif == private
                 and v.anchor_date == date(2027, 1, 1)]
    assert (january.status, january.outcome) == ("done", "contacted")   # one contact, every plan
    plans = {(p.params["band"], p.anchor_date): p for p in await scheduled(bank.sessions, "maintenance_plan")}
    assert set(plans) == {("gold", date(2027, 1, 1)), ("platinum", date(2027, 1, 1)),
                          ("private", date(2027, 1, 1)), ("gold", date(2027, 2, 1))}
    february = plans[("gold", date(2027, 2, 1))]
    assert (february.assignee, february.copied_to) == ("rm01", "bh01")
    assert february.params["customers"] == [
        {"cif": private, "customer_ref": february.params["customers"][0]["customer_ref"], "band": "private",
         "last_contact": "2027-01-12", "contact_due": "2027-02-12"},
        {"cif": gold, "customer_ref": february.params["customers"][1]["customer_ref"], "band": "gold",
         "last_contact": None, "contact_due": "2027-02-01"}]
    assert [line["cif"] for line in plans[("private", date(2027, 1, 1))].params["customers"]] == [private]


async def test_one_to_one_corporate_customers_get_a_monthly_contact(bank):
    corporate = await bank.customer(tier="one_to_one", kind="corporate")
    for day in (date(2027, 3, 1), date(2027, 4, 1)):
        await run_schedules(bank.sessions, day)
    visits = [v for v in await scheduled(bank.sessions, "maintenance_visit") if v.cif == corporate]
    assert sorted(str(v.due_date) for v in visits) == ["2027-03-31", "2027-04-30"]
    assert all(not p.params["customers"] or corporate not in {line["cif"] for line in p.params["customers"]}
               for p in await scheduled(bank.sessions, "maintenance_plan"))


async def test_a_contact_setting_giving_a_richer_band_less_contact_is_refused(tasks_api, as_user):
    r = await tasks_api.put("/api/v1/tasks/rules/maintenance_visit", json={"params": {"months_private": 3}},
                            headers=as_user("admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "params.months_private"
    assert "private" in r.json()["detail"] + str(r.json()["errors"])
    rules = (await tasks_api.get("/api/v1/tasks/rules", headers=as_user("admin"))).json()
    assert next(x for x in rules if x["name"] == "maintenance_visit")["params"]["months_private"] == 1
    ok = await tasks_api.put("/api/v1/tasks/rules/maintenance_visit", json={"params": {"months_gold": 2}},
                             headers=as_user("admin"))
    assert ok.status_code == 200 and ok.json()["params"]["months_gold"] == 2


async def test_the_outlet_head_sees_the_units_plans_and_co_owns_them(apply_event, tasks_db, tasks_api, as_user):
    await apply_event(staff_event("branch01", ["branch_head"], "HQ/BR01"))
    cif = await owned_customer(apply_event, kind="retail")
    await apply_event(customer_event("customer.tier-changed", cif, kind="retail", from_tier="standard",
                                     to_tier="gold", owner="rm01"))
    await run_schedules(tasks_db, date(2027, 6, 1))
    [plan] = [p for p in await scheduled(tasks_db, "maintenance_plan")
              if p.assignee == "rm01" and p.anchor_date == date(2027, 6, 1) and p.params["band"] == "gold"]
    assert plan.copied_to == "branch01" and cif in {line["cif"] for line in plan.params["customers"]}
    agenda = (await tasks_api.get(f"/api/v1/me/agenda?date={plan.due_date}", headers=as_user("branch01"))).json()
    assert str(plan.id) in {i["id"] for i in agenda["items"]}
    url = f"/api/v1/tasks/{plan.id}/complete"
    assert (await tasks_api.post(url, json={"outcome": "计划已审定"}, headers=as_user("rm02"))).status_code == 404
    done = await tasks_api.post(url, json={"outcome": "计划已审定，分派走访"}, headers=as_user("branch01"))
    assert (done.status_code, done.json()["status"]) == (200, "done"), done.text

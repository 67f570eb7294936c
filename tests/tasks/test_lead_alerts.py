"""The team lead's controls as tasks: a retail premium customer without a B岗 is on the lead's agenda
until one is assigned (corporate customers need none); a tier above what the owner's grade may hold
asks the lead to reassign or upgrade, re-checked on every tier change."""
from tests.tasks.conftest import customer_event, owned_customer, staff_event, tasks_for


def tier(cif: str, day: str, from_tier: str, to_tier: str, kind: str = "retail") -> dict:
    return customer_event("customer.tier-changed", cif, day, kind=kind, from_tier=from_tier, to_tier=to_tier,
                          owner="rm01")


async def graded_team(apply_event, grade: str) -> None:
    await apply_event(staff_event("lead01", ["team_lead"], "HQ/BR01/SB01", "T01"))
    rm = staff_event("rm01", ["rm"], "HQ/BR01/SB01", "T01")
    rm["data"]["grade"] = grade
    await apply_event(rm)


async def test_a_premium_retail_customer_without_a_b_manager_is_on_the_leads_agenda_until_one_is_assigned(
        apply_event, tasks_db, tasks_api, as_user):
    await graded_team(apply_event, "expert")
    retail, corporate = await owned_customer(apply_event, kind="retail"), await owned_customer(apply_event)
    await apply_event(tier(retail, "2026-11-25", "standard", "gold"))
    await apply_event(tier(corporate, "2026-11-25", "standard", "one_to_one", kind="corporate"))
    assert await tasks_for(tasks_db, corporate, "b_manager_missing") == []
    [alert] = await tasks_for(tasks_db, retail, "b_manager_missing")
    assert (alert.assignee, alert.status, str(alert.due_date)) == ("lead01", "open", "2026-11-30")
    async def on_agenda(day: str) -> list[str]:
        items = (await tasks_api.get(f"/api/v1/me/agenda?date={day}", headers=as_user("lead01"))).json()["items"]
        return [i["title"] for i in items if i["cif"] == retail]

    # an alert from the day it is raised (not only from its due date) until a B岗 is assigned
    assert await on_agenda("2026-11-24") == []
    for day in ("2026-11-25", "2026-11-30", "2026-12-07"):
        assert await on_agenda(day) == ["未配 B 岗：金卡 客户（A 岗 rm01）"], day
    await apply_event(tier(retail, "2026-11-26", "gold", "platinum"))     # still none: the one alert stays
    assert len(await tasks_for(tasks_db, retail, "b_manager_missing")) == 1
    await apply_event(customer_event("customer.assigned", retail, "2026-11-27", owner="rm02", role="B"))
    [alert] = await tasks_for(tasks_db, retail, "b_manager_missing")
    assert (alert.status, alert.cancel_reason) == ("cancelled", "b_manager_assigned")
    assert await on_agenda("2026-11-27") == [] and await on_agenda("2026-12-07") == []


async def test_a_tier_rise_above_the_owners_grade_asks_the_lead_to_reassign_or_upgrade(apply_event, tasks_db):
    await graded_team(apply_event, "junior")                               # a junior holds up to gold
    cif = await owned_customer(apply_event, kind="retail")
    await apply_event(customer_event("customer.assigned", cif, owner="rm02", role="B"))
    await apply_event(tier(cif, "2026-11-25", "standard", "gold"))
    assert await tasks_for(tasks_db, cif, "tier_above_grade") == []
    await apply_event(tier(cif, "2026-11-26", "gold", "private"))
    [cap] = await tasks_for(tasks_db, cif, "tier_above_grade")
    assert (cap.assignee, cap.kind, cap.params["grade"], cap.params["tier"]) == ("lead01", "grade_cap_review",
                                                                                "junior", "private")
    await apply_event(tier(cif, "2026-11-27", "private", "gold"))          # re-checked on the next change
    [cap] = await tasks_for(tasks_db, cif, "tier_above_grade")
    assert (cap.status, cap.cancel_reason) == ("cancelled", "within_grade")

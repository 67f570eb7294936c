"""Visits that count are real (issue 21 point 8): no interaction dated in the future; one logged more than
three business days after it happened (China's holidays and 调休 on the calendar) waits for the lead's
approval and is announced only once approved."""
from datetime import date, timedelta

from services.customer.rules import entry_standing
from shared.clock import business_today
from tests.customer.helpers import create, outbox


def test_the_late_entry_window_counts_business_days_on_chinas_calendar():
    # National Day 2026: 1–7 October off, Saturday 10 October a 调休 working day.
    assert entry_standing(date(2026, 9, 30), date(2026, 10, 10), {}) == "counted"   # 8th, 9th, 10th
    assert entry_standing(date(2026, 9, 29), date(2026, 10, 10), {}) == "pending_approval"
    # Friday 9th to Wednesday 14th: the working Saturday makes it four business days, not three.
    assert entry_standing(date(2026, 10, 9), date(2026, 10, 14), {}) == "pending_approval"
    assert entry_standing(date(2026, 10, 12), date(2026, 10, 15), {}) == "counted"
    assert entry_standing(date(2026, 10, 16), date(2026, 10, 15), {}) == "future"
    assert entry_standing(date(2026, 10, 9), date(2026, 10, 14), {}, window=4) == "counted"


async def test_an_interaction_dated_tomorrow_is_refused_with_its_field(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    tomorrow = (business_today() + timedelta(days=1)).isoformat()
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"),
                                json={"channel": "visit", "occurred_on": tomorrow, "notes": "预约走访"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "occurred_on"
    logged = await customer_api.get(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"))
    assert logged.json() == {"items": [], "next_cursor": None}


async def test_a_visit_logged_a_month_late_counts_only_once_the_lead_approves(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    month_ago = (business_today() - timedelta(days=30)).isoformat()
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"),
                                json={"channel": "visit", "occurred_on": month_ago, "notes": "补录走访"})
    assert r.status_code == 201 and r.json()["status"] == "pending_approval"
    assert await outbox(customer_db, "interaction.logged", c["cif"]) == []
    entry = r.json()["id"]
    assert entry in {i["id"] for i in (await customer_api.get("/api/v1/interactions/pending",
                                                              headers=await login("lead01"))).json()["items"]}
    url = f"/api/v1/interactions/{entry}/approve"
    for who, status in (("rm01", 403), ("rm02", 404), ("risk01", 403)):
        assert (await customer_api.post(url, headers=await login(who))).status_code == status, who
    assert await outbox(customer_db, "interaction.logged", c["cif"]) == []
    approved = await customer_api.post(url, headers=await login("lead01"))
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("counted", "lead01")
    [event] = await outbox(customer_db, "interaction.logged", c["cif"])
    assert event["data"]["interaction_id"] == entry and event["business_date"] == month_ago
    assert (await customer_api.post(url, headers=await login("branch01"))).status_code == 409
    assert entry not in {i["id"] for i in (await customer_api.get("/api/v1/interactions/pending",
                                                                  headers=await login("lead01"))).json()["items"]}


async def test_a_late_entry_the_lead_rejects_stays_in_the_log_and_never_counts(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    month_ago = (business_today() - timedelta(days=30)).isoformat()
    entry = (await customer_api.post(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"),
                                     json={"channel": "phone", "occurred_on": month_ago, "notes": "补录电话"})).json()
    url = f"/api/v1/interactions/{entry['id']}"
    assert (await customer_api.post(f"{url}/reject", json={}, headers=await login("lead01"))).status_code == 422
    rejected = await customer_api.post(f"{url}/reject", json={"note": "无通话记录"}, headers=await login("branch01"))
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["decided_by"], rejected.json()["decision_note"]) == (
        "rejected", "branch01", "无通话记录")
    assert (await customer_api.post(f"{url}/approve", headers=await login("lead01"))).status_code == 409
    assert await outbox(customer_db, "interaction.logged", c["cif"]) == []
    logged = await customer_api.get(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"))
    assert [(i["id"], i["status"]) for i in logged.json()["items"]] == [(entry["id"], "rejected")]

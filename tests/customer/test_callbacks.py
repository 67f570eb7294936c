"""Call-backs (回访): a monthly sample of each RM's book, drawn for someone other than that RM, at least
the minimum, never twice a month; results recorded by anyone but the customer's own managers."""
import math
from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from services.customer.cli.seed import DEMO_PASSWORD
from services.customer.models import Callback
from services.customer.rules import ControlRules, callback_sample
from services.customer.service.callbacks import draw_callbacks
from shared.outbox import OutboxMessage
from tests.customer.helpers import create, qualify

MONTH, NOW = date(2026, 11, 1), datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


def test_the_sample_is_the_rate_of_the_book_but_at_least_the_minimum_and_stable():
    rules = ControlRules()
    small, large = [f"C{i:03d}" for i in range(10)], [f"C{i:03d}" for i in range(100)]
    assert len(callback_sample(rules, small, "rm01", MONTH)) == rules.callback_minimum
    assert len(callback_sample(rules, large, "rm01", MONTH)) == math.ceil(100 * rules.callback_rate)
    assert callback_sample(rules, ["C1"], "rm01", MONTH) == ["C1"]
    assert callback_sample(rules, large, "rm01", MONTH) == callback_sample(rules, reversed(large), "rm01", MONTH)
    assert callback_sample(rules, large, "rm01", MONTH) != callback_sample(rules, large, "rm01", date(2026, 12, 1))


@pytest.fixture(scope="module")
async def lead_who_owns(customer_api, login):
    """leadrm leads team T03 and owns customers too: the lead cannot call back their own book."""
    admin = await login("admin")
    r = await customer_api.post("/api/v1/org/teams", headers=admin, json={"code": "T03", "name": "三组", "unit": "SB01"})
    assert r.status_code == 201, r.text
    r = await customer_api.post("/api/v1/staff", headers=admin, json={
        "username": "leadrm", "display_name": "兼管经理", "roles": ["team_lead", "rm"], "unit": "SB01", "team": "T03",
        "grade": "senior", "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.text
    await qualify(customer_api, admin, "leadrm")
    return "leadrm"


async def test_call_backs_are_drawn_for_someone_other_than_the_customers_rm(customer_api, customer_db, login,
                                                                            lead_who_owns):
    for owner in ("rm01", "rm01", "rm01", "leadrm", "leadrm", "leadrm"):
        assert (await create(customer_api, await login("lead01") if owner == "rm01" else await login("leadrm"),
                             owner=owner)).status_code == 201
    async with customer_db() as s:
        drawn = await draw_callbacks(s, ControlRules(), MONTH, business_date=MONTH, now=NOW)
        await s.commit()
    by_rm = {rm: [d for d in drawn if d.rm == rm] for rm in ("rm01", "leadrm")}
    assert all(len(rows) >= ControlRules().callback_minimum for rows in by_rm.values())
    assert {d.assignee for d in by_rm["rm01"]} == {"lead01"}
    assert {d.assignee for d in by_rm["leadrm"]} == {"branch01"}    # the lead is the RM here: the head calls
    async with customer_db() as s:
        again = await draw_callbacks(s, ControlRules(), MONTH, business_date=MONTH, now=NOW)
        events = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == "callback.requested"))).all()
    assert again == []
    assert all(e.payload["data"]["assignee"] != e.payload["data"]["rm"] for e in events) and len(events) == len(drawn)


async def test_a_call_back_is_recorded_by_someone_else_and_an_issue_can_open_a_complaint(customer_api, customer_db,
                                                                                         login):
    customer = (await create(customer_api, await login("rm01"))).json()
    body = {"customer_id": customer["id"], "reached": True, "satisfaction": 2, "issues": "客户经理承诺的回电未兑现",
            "open_complaint": True}
    assert (await customer_api.post("/api/v1/callbacks", headers=await login("rm01"), json=body)).status_code == 403
    r = await customer_api.post("/api/v1/callbacks", headers=await login("lead01"), json={**body, "satisfaction": 6})
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("satisfaction")
    r = await customer_api.post("/api/v1/callbacks", headers=await login("lead01"), json=body)
    assert r.status_code == 201, r.text
    assert (r.json()["caller"], r.json()["rm"], r.json()["satisfaction"]) == ("lead01", "rm01", 2)
    complaints = (await customer_api.get("/api/v1/complaints?status=open&limit=200",
                                         headers=await login("lead01"))).json()["items"]
    assert [c["text"] for c in complaints if c["id"] == r.json()["complaint_id"]] == [body["issues"]]
    async with customer_db() as s:
        row = (await s.exec(select(Callback).where(Callback.customer_id == customer["id"]))).one()
    assert row.status == "recorded"


async def test_the_customers_own_manager_cannot_record_its_call_back(customer_api, login, lead_who_owns):
    customer = (await create(customer_api, await login("leadrm"), owner="leadrm")).json()
    r = await customer_api.post("/api/v1/callbacks", headers=await login("leadrm"),
                                json={"customer_id": customer["id"], "reached": False})
    assert r.status_code == 409 and r.json()["code"] == "callback_by_other"

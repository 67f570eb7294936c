"""Complaints: pooled with the team lead, never shown to or handled by the staff member they are about,
due by severity in business days, escalated to the branch head when late, resolved with responsibility."""
import uuid
from datetime import date, datetime, timezone

from sqlmodel import select

from services.customer.models import Complaint, Customer
from services.customer.rules import ControlRules, business_days_after
from services.customer.service.complaints import file_complaint
from services.customer.service.deadlines import escalate_late
from shared.outbox import OutboxMessage
from tests.customer.helpers import create
from tests.support import principal

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


async def _complaint(api, login, **body):
    created = await create(api, await login("rm01"))
    r = await api.post("/api/v1/complaints", headers=await login("rm01"), json={
        "customer_id": created.json()["id"], "channel": "counter", "category": "service", "severity": "medium",
        "text": "柜面等候时间过长", **body})
    assert r.status_code == 201, r.text
    return r.json()


async def _ids(api, login, who, status=None):
    r = await api.get("/api/v1/complaints", params={"limit": 200, **({"status": status} if status else {})},
                      headers=await login(who))
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


async def test_complaint_about_an_rm_never_lands_in_that_rms_list(customer_api, login):
    about_rm = await _complaint(customer_api, login, about="rm01", category="conduct")
    plain = await _complaint(customer_api, login)
    assert about_rm["handler"] == "lead01" and plain["handler"] == "lead01"
    assert about_rm["id"] not in await _ids(customer_api, login, "rm01")
    assert plain["id"] in await _ids(customer_api, login, "rm01")
    assert {about_rm["id"], plain["id"]} <= await _ids(customer_api, login, "lead01", "open")
    r = await customer_api.post(f"/api/v1/complaints/{about_rm['id']}/resolve", headers=await login("rm01"), json={
        "responsible": "none", "finding": "自行处理", "feedback": "满意"})
    assert r.status_code == 404


async def test_complaint_about_the_lead_is_pooled_with_the_branch_head(customer_api, login):
    complaint = await _complaint(customer_api, login, about="lead01")
    assert complaint["handler"] == "branch01"
    assert complaint["id"] not in await _ids(customer_api, login, "lead01")
    assert complaint["id"] in await _ids(customer_api, login, "branch01")


async def test_complaint_past_its_limit_escalates_to_the_branch_head(customer_api, customer_db, login):
    created = await create(customer_api, await login("rm01"))
    filed_on = date(2026, 11, 20)   # a Friday
    async with customer_db() as s:
        customer = await s.get(Customer, uuid.UUID(created.json()["id"]))
        complaint = await file_complaint(s, principal("rm01"), customer, channel="phone", category="fees",
                                         severity="high", text="多收手续费", about=None, rules=ControlRules(),
                                         business_date=filed_on, now=NOW)
        await s.commit()
        complaint_id = complaint.id
    assert complaint.due_on == business_days_after(filed_on, ControlRules().complaint_days("high"), {}) \
        == date(2026, 11, 23)   # high: 1 business day, over the weekend
    for today, status in ((date(2026, 11, 23), "open"), (date(2026, 11, 24), "escalated")):
        async with customer_db() as s:
            await escalate_late(s, today, NOW)
            await s.commit()
            row = await s.get(Complaint, complaint_id)
        assert row.status == status, today
    assert row.escalated_to == "branch01"
    async with customer_db() as s:
        events = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == "complaint.escalated"))).all()
    assert [e.payload["data"]["escalated_to"] for e in events
            if e.payload["data"]["complaint_id"] == str(complaint_id)] == ["branch01"]
    assert str(complaint_id) in await _ids(customer_api, login, "branch01", "escalated")


async def test_resolution_names_responsibility_and_keeps_the_feedback(customer_api, login):
    complaint = await _complaint(customer_api, login, about="rm01")
    url = f"/api/v1/complaints/{complaint['id']}/resolve"
    r = await customer_api.post(url, headers=await login("lead01"), json={
        "responsible": "rm", "finding": "未按规定告知费用", "feedback": "接受道歉"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    body = {"responsible": "rm", "responsible_staff": "rm01", "finding": "未按规定告知费用", "feedback": "接受道歉"}
    r = await customer_api.post(url, headers=await login("lead01"), json=body)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["responsible_staff"], r.json()["feedback"]) == ("resolved", "rm01", "接受道歉")
    assert (await customer_api.post(url, headers=await login("lead01"), json=body)).status_code == 409
    assert complaint["id"] in await _ids(customer_api, login, "lead01", "resolved")

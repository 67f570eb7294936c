"""Credit applications: the 限时服务 deadline in business days across National Day with daily escalation,
two investigators for a large loan, 双签 on submission, 审贷分离 on review, three levels, the loan link."""
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlmodel import select

from services.customer.models import CreditApplication, Customer
from services.customer.rules import CREDIT_CHECKLIST, ControlRules
from services.customer.service.credit_applications import open_application
from services.customer.service.deadlines import escalate_late
from shared.outbox import OutboxMessage
from tests.customer.helpers import create, loan_disbursed, qualify
from tests.support import principal

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)


async def _late_events(sessions, application_id):
    async with sessions() as s:
        rows = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == "credit.submission-late"))).all()
    return [r.payload["data"] for r in rows if r.payload["data"]["application_id"] == application_id]


async def test_file_ready_before_national_day_is_due_after_it_and_escalates_daily_when_late(
        customer_api, customer_db, login):
    created = await create(customer_api, await login("rm01"))
    async with customer_db() as s:
        customer = await s.get(Customer, uuid.UUID(created.json()["id"]))
        application = await open_application(
            s, principal("rm01"), customer, product="working_capital", amount=Decimal("300000.00"), purpose="备货",
            investigators=["rm01"], documents=list(CREDIT_CHECKLIST), commitment=True, rules=ControlRules(),
            business_date=date(2026, 9, 30), now=NOW)
        await s.commit()
        app_id = str(application.id)
    # Oct 1–7 are off; Sat Oct 10 is a swapped working day (调休): 8, 9, 10, 12, 13 are the five business days
    assert (application.status, application.ready_on, application.due_on) == \
        ("ready", date(2026, 9, 30), date(2026, 10, 13))
    for today, expected_level in ((date(2026, 10, 13), 0), (date(2026, 10, 14), 1), (date(2026, 10, 14), 1),
                                  (date(2026, 10, 17), 3), (date(2026, 10, 19), 4)):
        async with customer_db() as s:
            await escalate_late(s, today, NOW)
            await s.commit()
            row = await s.get(CreditApplication, uuid.UUID(app_id))
        assert row.escalation_level == expected_level, today
    assert row.escalated_to == "lead01"
    assert [e["level"] for e in await _late_events(customer_db, app_id)] == [1, 3, 4]


async def test_ready_file_stops_escalating_once_submitted(customer_api, customer_db, login):
    created = await create(customer_api, await login("rm01"))
    r = await customer_api.post("/api/v1/credit-applications", headers=await login("rm01"), json={
        "customer_id": created.json()["id"], "product": "working_capital", "amount": "200000.00", "purpose": "周转",
        "investigators": ["rm01"], "documents": list(CREDIT_CHECKLIST), "commitment": True})
    assert r.status_code == 201, r.text
    for who in ("rm01", "risk01"):
        r = await customer_api.post(f"/api/v1/credit-applications/{r.json()['id']}/submit", headers=await login(who))
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted"
    async with customer_db() as s:
        await escalate_late(s, date.fromisoformat(r.json()["due_on"]).replace(year=2099), NOW)
        await s.commit()
    assert await _late_events(customer_db, r.json()["id"]) == []


async def test_large_loan_needs_two_distinct_investigators(customer_api, login):
    created = await create(customer_api, await login("rm01"))
    body = {"customer_id": created.json()["id"], "product": "fixed_asset", "amount": "1000000.00", "purpose": "购置设备"}
    for investigators in (["rm01"], ["rm01", "rm01"]):
        r = await customer_api.post("/api/v1/credit-applications", headers=await login("rm01"),
                                    json={**body, "investigators": investigators})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["errors"][0]["field"] == "investigators"
    r = await customer_api.post("/api/v1/credit-applications", headers=await login("rm01"),
                                json={**body, "investigators": ["rm01", "rm02"]})
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["due_on"]) == ("incomplete", None)


async def test_review_is_refused_to_marketing_rm_and_investigator_and_recorded_by_three_levels(
        customer_api, customer_db, login, apply_event):
    admin = await login("admin")
    r = await customer_api.post("/api/v1/staff", headers=admin, json={
        "username": "rmrisk", "display_name": "兼岗经理", "roles": ["rm", "risk_manager", "credit_reviewer"],
        "unit": "SB01", "team": "T01", "grade": "intermediate", "password": "demo-password"})
    assert r.status_code == 201, r.text
    r = await customer_api.post("/api/v1/staff", headers=admin, json={   # a reviewer who joined the investigation
        "username": "credit02", "display_name": "调查审查", "roles": ["credit_reviewer"], "unit": "BR01",
        "password": "demo-password"})
    assert r.status_code == 201, r.text
    await qualify(customer_api, admin, "rmrisk")
    rm = await login("rmrisk")
    created = await create(customer_api, rm)
    r = await customer_api.post("/api/v1/credit-applications", headers=rm, json={
        "customer_id": created.json()["id"], "product": "working_capital", "amount": "1500000.00",
        "purpose": "订单融资", "investigators": ["rmrisk", "credit02"], "documents": list(CREDIT_CHECKLIST[:2])})
    assert r.status_code == 201, r.text
    url = f"/api/v1/credit-applications/{r.json()['id']}"
    assert (await customer_api.post(url + "/submit", headers=rm)).status_code == 409   # not ready yet
    r = await customer_api.post(url + "/documents", headers=rm,
                                json={"documents": list(CREDIT_CHECKLIST[2:]), "commitment": True})
    assert r.json()["status"] == "ready" and r.json()["due_on"] is not None
    for who in ("rmrisk", "risk01"):
        assert (await customer_api.post(url + "/submit", headers=await login(who))).status_code == 200
    decision = {"level": 1, "decision": "approve"}
    for who in ("rmrisk", "credit02"):   # the marketing RM (who holds a reviewer's role too), an investigator
        r = await customer_api.post(url + "/review", headers=await login(who), json=decision)
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "review_separation"
    assert (await customer_api.post(url + "/review", headers=await login("rm02"), json=decision)).status_code == 404
    for who in ("branch01", "risk01"):   # heads and risk managers are not the credit department
        r = await customer_api.post(url + "/review", headers=await login(who), json=decision)
        assert (r.status_code, r.json()["code"]) == (403, "review_roles"), r.text
    head = await login("credit01")
    assert (await customer_api.post(url + "/review", headers=head, json={"level": 2, "decision": "approve"})
            ).status_code == 409
    r = await customer_api.post(url + "/review", headers=head, json={"level": 1, "decision": "decline"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    for level in (1, 2, 3):
        r = await customer_api.post(url + "/review", headers=head, json={"level": level, "decision": "approve"})
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    assert [(v["level"], v["reviewer"]) for v in r.json()["reviews"]] == [(1, "credit01"), (2, "credit01"),
                                                                          (3, "credit01")]
    cif = created.json()["cif"]
    await apply_event(loan_disbursed(cif, "L-OTHER-AMOUNT", "1400000.00"))
    await apply_event(loan_disbursed(cif, "L-CREDIT-1", "1500000.00"))
    assert (await customer_api.get(url, headers=rm)).json()["loan_id"] == "L-CREDIT-1"

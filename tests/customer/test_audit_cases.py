"""Audit work: a departure moves the book at once and opens the departure audit by itself, which stays
open until an auditor signs it off; routine audits list what the RM did in the period; leads never run
audits."""
from datetime import timedelta

from shared.clock import business_today
from tests.customer.helpers import create, loan_disbursed
from tests.customer.test_ownership import new_rm
from tests.support import core_event


async def test_departure_moves_the_book_at_once_and_its_audit_stays_open_until_sign_off(
        customer_api, login, apply_event):
    await new_rm(customer_api, login, "rm20")
    book = [(await create(customer_api, await login("lead01"), owner="rm20")).json() for _ in range(3)]
    cif = book[0]["cif"]
    await apply_event(loan_disbursed(cif, "L-AUD-1", "300000.00"))
    await apply_event(core_event("loan.overdue", cif, {
        "loan_id": "L-AUD-1", "customer_id": cif, "as_of": "2026-11-20", "days_overdue": 12,
        "overdue_principal": "30000.00", "overdue_interest": "900.00"}))
    r = await customer_api.post("/api/v1/staff/rm20/handover", headers=await login("lead01"),
                                json={"successors": ["rm01"], "reason": "离职"})
    assert r.status_code == 200, r.text
    case_id = r.json()["departure_audit"]
    for c in book:   # moved at once, before any audit: customers never wait unattended
        assert (await customer_api.get(f"/api/v1/customers/{c['id']}", headers=await login("rm01"))).json()["owner"] \
            == "rm01"
    auditor = await login("audit01")
    case = (await customer_api.get(f"/api/v1/audits/{case_id}", headers=auditor)).json()
    assert (case["kind"], case["rm"], case["status"], case["opened_by"]) == ("departure", "rm20", "open", "lead01")
    assert {c["cif"] for c in case["contents"]["customers"]} == {c["cif"] for c in book}
    assert [(x["cif"], x["direction"]) for x in case["contents"]["transfers"]].count((cif, "out")) == 1
    assert [loan["loan_id"] for loan in case["contents"]["overdue_loans"]] == ["L-AUD-1"]
    lead = await login("lead01")
    assert (await customer_api.post(f"/api/v1/audits/{case_id}/sign-off", headers=lead,
                                    json={"conclusion": "无异常"})).status_code == 403
    r = await customer_api.post(f"/api/v1/audits/{case_id}/findings", headers=auditor,
                                json={"text": "离岗前一周查看完整证件号码 3 次", "severity": "major"})
    assert r.status_code == 200 and r.json()["status"] == "open"
    r = await customer_api.post(f"/api/v1/audits/{case_id}/sign-off", headers=auditor, json={"conclusion": "已核实"})
    assert (r.status_code, r.json()["status"], r.json()["signed_off_by"]) == (200, "signed_off", "audit01")
    r = await customer_api.post(f"/api/v1/audits/{case_id}/findings", headers=auditor, json={"text": "补充"})
    assert r.status_code == 409


async def test_leads_can_no_longer_run_the_departure_audit(customer_api, login):
    today = business_today()
    body = {"kind": "departure", "rm": "rm02", "period_from": str(today - timedelta(days=30)), "period_to": str(today)}
    for who in ("lead01", "branch01", "rm01"):
        r = await customer_api.post("/api/v1/audits", headers=await login(who), json=body)
        assert r.status_code == 403, (who, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    r = await customer_api.post("/api/v1/audits", headers=await login("audit01"), json=body)
    assert r.status_code == 201, r.text


async def test_routine_audit_lists_unmasked_reads_backdated_entries_and_complaints(customer_api, login):
    rm = await login("rm02")
    c = (await create(customer_api, rm)).json()
    assert (await customer_api.get(f"/api/v1/customers/{c['id']}?unmask=true", headers=rm)).status_code == 200
    today = business_today()
    for occurred in (today, today - timedelta(days=10)):
        r = await customer_api.post(f"/api/v1/customers/{c['id']}/interactions", headers=rm, json={
            "channel": "visit", "occurred_on": str(occurred), "notes": "走访"})
        assert r.status_code == 201, r.text
    r = await customer_api.post("/api/v1/complaints", headers=await login("lead01"), json={
        "customer_id": c["id"], "channel": "phone", "category": "conduct", "severity": "low", "text": "态度差",
        "about": "rm02"})
    assert r.status_code == 201, r.text
    r = await customer_api.post("/api/v1/audits", headers=await login("audit01"), json={
        "kind": "routine", "rm": "rm02", "period_from": str(today - timedelta(days=1)), "period_to": str(today)})
    contents = r.json()["contents"]
    assert c["cif"] in [x["cif"] for x in contents["unmasked_reads"]]
    assert [x["occurred_on"] for x in contents["backdated_entries"] if x["cif"] == c["cif"]] == \
        [str(today - timedelta(days=10))]
    assert [x["about"] for x in contents["complaints"] if x["cif"] == c["cif"]] == ["rm02"]
    r = await customer_api.post("/api/v1/audits", headers=await login("audit01"), json={
        "kind": "routine", "rm": "rm02", "period_from": str(today), "period_to": str(today - timedelta(days=1))})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "period_from"

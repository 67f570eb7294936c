"""Ownership: effective-dated A/B history, transfer requests with separation of duties, claims refused
and recorded, departure handover of a whole book in one transaction, grade caps."""
from datetime import date, datetime, timezone

from sqlmodel import select

from services.customer.cli.seed import DEMO_PASSWORD
from services.customer.models import AuditEntry, Customer, CustomerOwnership
from services.customer.schemas import CustomerCreate
from services.customer.service.customers import register_customer
from services.customer.service.transfers import transfer_customer
from shared.outbox import OutboxMessage
from tests.customer.helpers import count, create, deposit_changed, deposit_opened, loan_disbursed, qualify
from tests.support import core_event, principal, unique_cif


async def events_of(sessions, cif, event_type="customer.assigned"):
    async with sessions() as s:
        rows = (await s.exec(select(OutboxMessage)
                             .where(OutboxMessage.key == cif, OutboxMessage.event_type == event_type)
                             .order_by(OutboxMessage.seq))).all()
    return [r.payload for r in rows]


async def test_mid_month_transfer_shows_both_owners_with_their_dates_and_the_event_carries_them(
        customer_api, login, customer_db):
    registered, mid_month = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc), datetime(2026, 11, 15, 2, 0,
                                                                                       tzinfo=timezone.utc)
    async with customer_db() as s:
        customer = await register_customer(s, principal("rm01"), CustomerCreate(
            cif=unique_cif(), name="月中移交有限公司", kind="corporate"), business_date=date(2026, 11, 2),
            now=registered)
        await s.commit()   # service functions stage; the caller's commit is the unit of work
        c = {"id": str(customer.id), "cif": customer.cif}
        await transfer_customer(s, principal("lead01"), customer, "rm02", "客户经理岗位调整",
                                business_date=date(2026, 11, 15), now=mid_month)
        await s.commit()
    history = (await customer_api.get(f"/api/v1/customers/{c['id']}/ownership",
                                      headers=await login("lead01"))).json()["items"]
    assert [(h["role"], h["owner"], h["effective_to"]) for h in history] == [
        ("A", "rm01", "2026-11-15T02:00:00Z"), ("A", "rm02", None)]
    assert history[1]["effective_from"] == "2026-11-15T02:00:00Z" and history[1]["assigned_by"] == "lead01"
    assert history[0]["effective_from"] == "2026-11-02T01:00:00Z"
    event = (await events_of(customer_db, c["cif"]))[-1]
    assert event["data"]["owner"] == "rm02" and event["data"]["previous_owner"] == "rm01"
    assert event["data"]["effective_from"] == "2026-11-15T02:00:00Z" and event["business_date"] == "2026-11-15"


async def test_backup_manager_is_kept_as_its_own_history_and_sees_the_customer(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer", headers=await login("lead01"),
                                json={"to": "rm02", "reason": "高端客户设B岗", "role": "B"})
    assert r.status_code == 200 and r.json()["owners"] == [{"role": "A", "username": "rm01", "since": None},
                                                           {"role": "B", "username": "rm02", "since": None}]
    assert (await customer_api.get(f"/api/v1/customers/{c['id']}", headers=await login("rm02"))).status_code == 200
    assert (await events_of(customer_db, c["cif"]))[-1]["data"]["role"] == "B"


async def test_an_rm_request_is_decided_by_a_lead_and_nobody_approves_their_own(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer-requests", headers=await login("rm01"),
                                json={"to": "rm02", "reason": "客户搬迁至对方片区"})
    assert r.status_code == 201 and r.json()["status"] == "pending"
    rid = r.json()["id"]
    assert rid in {x["id"] for x in (await customer_api.get("/api/v1/transfer-requests?status=pending&limit=200",
                                                            headers=await login("lead01"))).json()["items"]}
    r = await customer_api.post(f"/api/v1/transfer-requests/{rid}/approve", json={}, headers=await login("rm01"))
    assert r.status_code == 403
    r = await customer_api.post(f"/api/v1/transfer-requests/{rid}/approve", json={"note": "同意"},
                                headers=await login("lead01"))
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["decided_by"] == "lead01"
    after = (await customer_api.get(f"/api/v1/customers/{c['id']}", headers=await login("lead01"))).json()
    assert after["owner"] == "rm02"
    again = await customer_api.post(f"/api/v1/transfer-requests/{rid}/reject", json={"note": "不同意"},
                                    headers=await login("branch01"))
    assert again.status_code == 409

    own = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer-requests", headers=await login("lead01"),
                                  json={"to": "rm01", "reason": "回调"})
    r = await customer_api.post(f"/api/v1/transfer-requests/{own.json()['id']}/approve", json={},
                                headers=await login("lead01"))
    assert r.status_code == 403 and r.json()["code"] == "own_request"
    assert (await customer_api.get(f"/api/v1/customers/{c['id']}", headers=await login("lead01"))).json()["owner"] \
        == "rm02"


async def test_claiming_someone_elses_customer_is_refused_and_recorded_for_the_lead(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    before = await count(customer_db, CustomerOwnership, CustomerOwnership.customer_id == c["id"])
    r = await customer_api.post("/api/v1/customers/claim", json={"cif": c["cif"]}, headers=await login("rm02"))
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "cif"
    assert "rm01" not in r.text  # the refusal does not tell who owns the customer
    assert await count(customer_db, CustomerOwnership, CustomerOwnership.customer_id == c["id"]) == before
    seen = (await customer_api.get("/api/v1/claim-refusals?limit=200", headers=await login("lead01"))).json()["items"]
    assert {"cif": c["cif"], "claimant": "rm02", "owner": "rm01"}.items() <= \
        next(x for x in seen if x["cif"] == c["cif"]).items()
    assert all(x["claimant"] == "rm01" for x in
               (await customer_api.get("/api/v1/claim-refusals", headers=await login("rm01"))).json()["items"])


async def test_an_rm_claims_an_unowned_customer_of_their_unit(customer_api, login):
    c = (await create(customer_api, await login("lead01"))).json()
    assert c["owner"] is None
    r = await customer_api.post("/api/v1/customers/claim", json={"cif": c["cif"]}, headers=await login("rm02"))
    assert r.status_code == 200 and r.json()["owner"] == "rm02"


async def new_rm(api, login, username, grade="senior"):
    r = await api.post("/api/v1/staff", headers=await login("admin"), json={
        "username": username, "display_name": username, "roles": ["rm"], "unit": "SB01", "team": "T01",
        "grade": grade, "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.text
    await qualify(api, await login("admin"), username)


async def book_of(api, login, owner, n):
    return [(await create(api, await login("lead01"), owner=owner, kind="retail", name=f"客户{i:02d}")).json()
            for i in range(n)]


async def test_handover_of_fifty_customers_moves_all_atomically_and_returns_the_checklist(
        customer_api, login, customer_db, apply_event):
    await new_rm(customer_api, login, "rm10")
    book = await book_of(customer_api, login, "rm10", 50)
    overdue = book[7]["cif"]
    await apply_event(loan_disbursed(overdue, "L-OVERDUE", "200000.00"))
    await apply_event(core_event("loan.overdue", overdue, {
        "loan_id": "L-OVERDUE", "customer_id": overdue, "as_of": "2026-11-20", "days_overdue": 5,
        "overdue_principal": "10000.00", "overdue_interest": "300.00"}))
    await apply_event(core_event("task.created", book[3]["cif"], {
        "task_id": "T-OPEN-1", "kind": "collection", "rule": "loan_due", "customer_id": book[3]["cif"],
        "assignee": "rm10", "due_date": "2026-12-01"}))
    r = await customer_api.post("/api/v1/staff/rm10/handover", headers=await login("lead01"),
                                json={"successors": ["rm01", "rm02"], "reason": "调离"})
    assert r.status_code == 200, r.text
    checklist = r.json()
    assert len(checklist["moved"]) == 50 and {m["to"] for m in checklist["moved"]} == {"rm01", "rm02"}
    assert [t["task_id"] for t in checklist["open_tasks"]] == ["T-OPEN-1"]
    assert [(x["loan_id"], x["days_overdue"]) for x in checklist["overdue_loans"]] == [("L-OVERDUE", 5)]
    assert await count(customer_db, Customer, Customer.owner == "rm10") == 0
    for c in book:
        assert (await events_of(customer_db, c["cif"]))[-1]["data"]["previous_owner"] == "rm10"
    trail = (await customer_api.get("/api/v1/audit?actor=lead01&limit=1000", headers=await login("admin"))).json()["items"]
    [entry] = [e for e in trail if e["action"] == "handover" and e["before"] == {"leaver": "rm10"}]
    assert entry["after"]["customers"] == 50 and entry["after"]["overdue_loans"] == 1


async def test_a_handover_failing_halfway_moves_nobody(customer_api, login, customer_db, apply_event):
    await new_rm(customer_api, login, "rm11")
    book = await book_of(customer_api, login, "rm11", 50)
    rich = sorted(book, key=lambda c: c["cif"])[25]["cif"]   # handed over in CIF order: fails at the 26th
    await apply_event(deposit_opened(rich, "A-RICH", "wealth"))
    await apply_event(deposit_changed(rich, "A-RICH", "2500000.00", "2500000.00", "wealth"))
    outbox, trail = await count(customer_db, OutboxMessage), await count(customer_db, AuditEntry)
    r = await customer_api.post("/api/v1/staff/rm11/handover", headers=await login("lead01"),
                                json={"successors": ["rm01", "rm02"], "reason": "调离"})
    assert r.status_code == 422 and r.json()["code"] == "grade_cap" and r.json()["errors"][0]["field"] == "successors"
    assert rich in r.json()["detail"]
    assert await count(customer_db, Customer, Customer.owner == "rm11") == 50
    assert await count(customer_db, OutboxMessage) == outbox and await count(customer_db, AuditEntry) == trail


async def test_grade_caps_what_tier_an_rm_may_own(customer_api, login, apply_event):
    c = (await create(customer_api, await login("rm01"), kind="retail")).json()
    await apply_event(deposit_opened(c["cif"], "A-CAP", "savings"))
    await apply_event(deposit_changed(c["cif"], "A-CAP", "2000000.00", "2000000.00", "savings"))
    await new_rm(customer_api, login, "rm12", grade="junior")
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer", headers=await login("lead01"),
                                json={"to": "rm12", "reason": "x"})
    assert r.status_code == 422 and r.json()["code"] == "grade_cap" and r.json()["errors"][0]["field"] == "to"


async def test_rejecting_a_transfer_request_needs_a_reason(customer_api, login):
    c = (await create(customer_api, await login("rm01"))).json()
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer-requests", headers=await login("rm01"),
                                json={"to": "rm02", "reason": "客户搬迁"})
    url = f"/api/v1/transfer-requests/{r.json()['id']}/reject"
    for body in ({}, {"note": "  "}):
        refused = await customer_api.post(url, json=body, headers=await login("lead01"))
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "note"
    pending = (await customer_api.get("/api/v1/transfer-requests?status=pending&limit=200",
                                      headers=await login("lead01"))).json()["items"]
    assert r.json()["id"] in {x["id"] for x in pending}
    done = await customer_api.post(url, json={"note": "客户仍在本片区"}, headers=await login("lead01"))
    assert done.status_code == 200 and done.json()["status"] == "rejected"

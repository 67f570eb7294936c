"""The audit trail (append-only, auditors' filters), staff.changed, interactions and the work log,
key contacts, and the prospect pipeline."""
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.customer.cli.seed import STAFF
from shared.clock import business_today
from tests.customer.helpers import create, outbox


async def test_the_demo_seed_and_admin_changes_announce_staff(customer_api, login, customer_db):
    seeded = {e["subject"]: e["data"] for e in await outbox(customer_db, "staff.changed")}
    assert {u for u, *_ in STAFF} <= set(seeded)
    assert seeded["lead01"]["roles"] == ["team_lead"] and seeded["lead01"]["team"] == "T01"
    assert seeded["rm01"]["grade"] == "intermediate" and seeded["rm01"]["unit_path"] == "HQ/BR01/SB01"
    r = await customer_api.patch("/api/v1/staff/rm02", json={"grade": "senior"}, headers=await login("admin"))
    assert r.status_code == 200 and r.json()["grade"] == "senior"
    assert (await outbox(customer_db, "staff.changed", "rm02"))[-1]["data"]["grade"] == "senior"
    assert (await customer_api.patch("/api/v1/staff/rm02", json={"grade": "junior"},
                                     headers=await login("lead01"))).status_code == 403


async def test_audit_trail_is_append_only(customer_api, login, customer_db):
    await create(customer_api, await login("rm01"))
    async with customer_db() as s:
        for sql in ("UPDATE audit_entry SET actor = 'someone'", "DELETE FROM audit_entry"):
            with pytest.raises(Exception, match="append-only"):
                await s.execute(text(sql))
            await s.rollback()


async def test_auditors_filter_the_trail_and_others_may_not_read_it(customer_api, login):
    c = (await create(customer_api, await login("rm01"))).json()
    await customer_api.post(f"/api/v1/customers/{c['id']}/transfer", json={"to": "rm02", "reason": "调整"},
                            headers=await login("lead01"))
    r = await customer_api.get("/api/v1/audit", params={"customer_id": c["id"], "actor": "lead01"},
                               headers=await login("audit01"))
    [entry] = r.json()["items"]
    assert entry["action"] == "ownership.changed" and entry["before"]["owner"] == "rm01"
    assert entry["after"]["owner"] == "rm02" and entry["request_id"]
    future = await customer_api.get("/api/v1/audit", params={"customer_id": c["id"], "from": "2099-01-01T00:00:00Z"},
                                    headers=await login("audit01"))
    assert future.json() == {"items": [], "next_cursor": None}
    for who in ("rm01", "lead01", "branch01", "risk01"):
        assert (await customer_api.get("/api/v1/audit", headers=await login(who))).status_code == 403


async def test_a_logged_visit_is_published_listed_in_the_work_log_and_spot_checked_once(customer_api, login,
                                                                                        customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    yesterday = (business_today() - timedelta(days=1)).isoformat()   # within the late-entry window
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"), json={
        "channel": "visit", "occurred_on": yesterday, "notes": "实地走访", "needs": "扩大授信",
        "next_step": "提交授信申请", "co_signed_by": "张总"})
    assert r.status_code == 201
    [event] = await outbox(customer_db, "interaction.logged", c["cif"])
    assert event["data"]["rm"] == "rm01" and event["data"]["channel"] == "visit" and event["business_date"] == yesterday
    log = (await customer_api.get(f"/api/v1/worklog?day={yesterday}&rm=rm01", headers=await login("lead01"))).json()
    assert r.json()["id"] in {i["id"] for i in log["items"]}
    others = await customer_api.get(f"/api/v1/worklog?day={yesterday}&rm=rm01", headers=await login("rm02"))
    assert others.json()["items"] == []
    url = f"/api/v1/interactions/{r.json()['id']}/spot-check"
    assert (await customer_api.post(url, headers=await login("rm01"))).status_code == 403
    checked = await customer_api.post(url, headers=await login("lead01"))
    assert checked.status_code == 200 and checked.json()["spot_checked_by"] == "lead01"
    assert (await customer_api.post(url, headers=await login("branch01"))).status_code == 409


async def test_key_contact_changes_are_announced(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    added = await customer_api.post(f"/api/v1/customers/{c['id']}/contacts", headers=await login("rm01"),
                                    json={"name": "赵总", "role": "财务总监"})
    r = await customer_api.delete(f"/api/v1/customers/{c['id']}/contacts/{added.json()['id']}",
                                  headers=await login("rm01"))
    assert r.status_code == 204
    events = await outbox(customer_db, "customer.contact-changed", c["cif"])
    assert [(e["data"]["contact_role"], e["data"]["change"]) for e in events] == [("财务总监", "added"),
                                                                                  ("财务总监", "removed")]
    rel = await customer_api.post(f"/api/v1/customers/{c['id']}/relationships", headers=await login("rm01"),
                                  json={"kind": "group_parent", "related_cif": "C0000001"})
    assert rel.status_code == 201


async def test_a_prospect_moves_forward_and_winning_it_publishes_customer_won(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"), status="prospect", source_channel="referral")).json()
    assert c["status"] == "prospect" and c["prospect_stage"] == "lead"
    url = f"/api/v1/customers/{c['id']}/pipeline"
    assert (await customer_api.post(url, json={"stage": "proposal"}, headers=await login("rm01"))).status_code == 200
    back = await customer_api.post(url, json={"stage": "contacted"}, headers=await login("rm01"))
    assert back.status_code == 422 and back.json()["errors"][0]["field"] == "stage"
    won = await customer_api.post(url, json={"stage": "won"}, headers=await login("rm01"))
    assert won.json()["status"] == "new" and won.json()["prospect_stage"] == "won"
    [event] = await outbox(customer_db, "customer.won", c["cif"])
    assert event["data"]["owner"] == "rm01" and event["data"]["source_channel"] == "referral"
    lost = (await create(customer_api, await login("rm01"), status="prospect")).json()
    r = await customer_api.post(f"/api/v1/customers/{lost['id']}/pipeline", json={"stage": "lost"},
                                headers=await login("rm01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lost_reason"


async def test_a_unit_or_team_code_already_taken_is_a_409_naming_it_not_a_500(customer_api, login):
    admin = await login("admin")
    r = await customer_api.post("/api/v1/org/units", json={"code": "SB01", "name": "重复的支行", "level": "sub_branch",
                                                            "parent": "BR01"}, headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "duplicate_code"
    assert "SB01" in r.json()["detail"]
    r = await customer_api.post("/api/v1/org/teams", json={"code": "T01", "name": "重复的团队", "unit": "SB01"},
                                headers=admin)
    assert r.status_code == 409 and "T01" in r.json()["detail"]

"""Customer service through HTTP: sign-in, registering customers, scope, errors, events staged."""
from sqlmodel import select

from services.customer.models import Customer, CustomerOwnership
from shared.outbox import OutboxMessage
from tests.customer.helpers import count, create
from tests.support import unique_cif


async def test_sign_in_gives_a_bearer_token_and_me_describes_the_caller(customer_api, login):
    me = (await customer_api.get("/api/v1/me", headers=await login("rm01"))).json()
    assert me["username"] == "rm01" and me["roles"] == ["rm"] and me["unit"] == "SB01" and me["team"] == "T01"


async def test_wrong_password_is_401_problem_in_chinese_and_english(customer_api):
    r = await customer_api.post("/api/v1/auth/token", data={"username": "rm01", "password": "nope"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "用户名或密码错误"
    r = await customer_api.post("/api/v1/auth/token", data={"username": "ghost", "password": "nope"},
                                headers={"Accept-Language": "en"})
    assert r.status_code == 401 and r.json()["detail"] == "Wrong username or password"


async def test_missing_or_forged_token_is_401(customer_api, jwt_keys):
    assert (await customer_api.get("/api/v1/customers")).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"}
    r = await customer_api.get("/api/v1/customers", headers=forged)
    assert r.status_code == 401 and r.json()["status"] == 401


async def test_rm_registers_a_customer_they_own_and_events_are_staged_in_the_same_commit(
        customer_api, login, customer_db):
    r = await create(customer_api, await login("rm01"), phone="13812345678", national_id="110101199003071233")
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["owner"] == "rm01" and c["owners"] == [{"role": "A", "username": "rm01", "since": None}]
    assert c["phone"] == "138****5678" and c["national_id"] == "1101**********1233"
    async with customer_db() as s:
        events = (await s.exec(select(OutboxMessage).where(OutboxMessage.key == c["cif"])
                               .order_by(OutboxMessage.seq))).all()
    assert [e.event_type for e in events] == ["customer.registered", "customer.assigned"]
    assigned = events[1].payload
    assert assigned["subject"] == c["cif"] and assigned["data"]["owner"] == "rm01"
    assert assigned["data"]["owner_team"] == "T01" and assigned["data"]["unit_path"] == "HQ/BR01/SB01"
    assert "1101**" not in str(events[0].payload) and "110101199003071233" not in str(events[0].payload)


async def test_an_rm_sees_only_their_own_customers(customer_api, login):
    mine = (await create(customer_api, await login("rm01"))).json()
    theirs = (await create(customer_api, await login("rm02"))).json()
    rm01 = await login("rm01")
    assert (await customer_api.get(f"/api/v1/customers/{mine['id']}", headers=rm01)).status_code == 200
    r = await customer_api.get(f"/api/v1/customers/{theirs['id']}", headers=rm01)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    listed = {c["cif"] for c in (await customer_api.get("/api/v1/customers?limit=200", headers=rm01)).json()["items"]}
    assert mine["cif"] in listed and theirs["cif"] not in listed


async def test_lead_branch_head_and_auditor_see_the_teams_customers(customer_api, login):
    c = (await create(customer_api, await login("rm02"))).json()
    for who in ("lead01", "branch01", "audit01", "risk01", "admin"):
        r = await customer_api.get(f"/api/v1/customers/{c['id']}", headers=await login(who))
        assert r.status_code == 200, who


async def test_auditor_and_risk_manager_cannot_register_customers(customer_api, login, customer_db):
    for who in ("audit01", "risk01"):
        r = await create(customer_api, await login(who), owner="rm01")
        assert r.status_code == 403 and r.json()["code"] == "forbidden"


async def test_rm_cannot_register_a_customer_for_someone_else(customer_api, login, customer_db):
    cif = unique_cif()
    r = await create(customer_api, await login("rm01"), cif=cif, owner="rm02")
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "owner"
    assert await count(customer_db, Customer, Customer.cif == cif) == 0


async def test_lead_registers_a_customer_for_an_rm_of_the_team(customer_api, login):
    r = await create(customer_api, await login("lead01"), owner="rm02", government_related=True)
    assert r.status_code == 201 and r.json()["owner"] == "rm02" and r.json()["government_related"] is True


async def test_duplicate_cif_is_409_and_writes_nothing(customer_api, login, customer_db):
    rm01 = await login("rm01")
    first = (await create(customer_api, rm01)).json()
    before = await count(customer_db, OutboxMessage)
    r = await create(customer_api, rm01, cif=first["cif"])
    assert r.status_code == 409 and r.json()["errors"] == [{"field": "cif", "reason": f"客户号 {first['cif']} 已存在"}]
    assert await count(customer_db, OutboxMessage) == before
    assert await count(customer_db, Customer, Customer.cif == first["cif"]) == 1


async def test_unknown_owner_is_422_naming_the_field(customer_api, login, customer_db):
    cif = unique_cif()
    r = await create(customer_api, await login("admin"), cif=cif, owner="nobody")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "owner"
    assert await count(customer_db, Customer, Customer.cif == cif) == 0


async def test_invalid_fields_are_listed_in_the_callers_language(customer_api, login):
    r = await customer_api.post("/api/v1/customers", json={"cif": "bad cif", "kind": "alien"},
                                headers=await login("rm01", **{"Accept-Language": "en"}))
    body = r.json()
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert {e["field"]: e["reason"] for e in body["errors"]} == {
        "cif": "wrong format: expected 4–32 capital letters or digits (the core-banking CIF)", "name": "field required",
        "kind": "value not allowed; expected 'retail' or 'corporate'"}
    r = await customer_api.post("/api/v1/customers", json={"cif": "C1234"}, headers=await login("rm01"))
    assert {e["field"]: e["reason"] for e in r.json()["errors"]}["name"] == "缺少必填字段"


async def test_customer_pages_walk_every_customer_once(customer_api, login):
    rm = await login("rm02")
    made = {(await create(customer_api, rm)).json()["cif"] for _ in range(7)}
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await customer_api.get("/api/v1/customers", params=params, headers=rm)).json()
        seen += [c["cif"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert made <= set(seen) and len(seen) == len(set(seen))


async def test_transfer_by_lead_keeps_history_and_emits_the_new_owner(customer_api, login, customer_db):
    c = (await create(customer_api, await login("rm01"))).json()
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer", json={"to": "rm02", "reason": "调岗"},
                                headers=await login("lead01"))
    assert r.status_code == 200 and r.json()["owner"] == "rm02"
    async with customer_db() as s:
        history = (await s.exec(select(CustomerOwnership).where(CustomerOwnership.customer_id == c["id"])
                                .order_by(CustomerOwnership.effective_from))).all()
        event = (await s.exec(select(OutboxMessage).where(OutboxMessage.key == c["cif"])
                              .order_by(OutboxMessage.seq.desc()))).first()
    assert [(h.owner, h.effective_to is not None) for h in history] == [("rm01", True), ("rm02", False)]
    assert history[0].effective_to == history[1].effective_from
    assert event.payload["data"]["owner"] == "rm02" and event.payload["data"]["previous_owner"] == "rm01"
    assert (await customer_api.get(f"/api/v1/customers/{c['id']}", headers=await login("rm01"))).status_code == 404


async def test_rm_cannot_transfer_a_customer(customer_api, login):
    c = (await create(customer_api, await login("rm01"))).json()
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer", json={"to": "rm02", "reason": "x"},
                                headers=await login("rm01"))
    assert r.status_code == 403


async def test_unknown_route_and_wrong_method_are_problems(customer_api):
    r = await customer_api.get("/api/v1/nowhere")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = await customer_api.delete("/api/v1/customers")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


async def test_text_with_a_nul_character_is_422_naming_the_field_and_writes_nothing(customer_api, login, customer_db):
    cif = unique_cif()
    r = await customer_api.post("/api/v1/customers",
                                headers={**await login("rm01"), "content-type": "application/json"},
                                content='{"cif": "%s", "name": "a\\u0000b", "kind": "retail"}' % cif)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    r = await customer_api.get("/api/v1/customers?q=a%00b", headers=await login("rm01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "q"
    assert await count(customer_db, Customer, Customer.cif == cif) == 0

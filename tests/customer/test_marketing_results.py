"""Marketing results (登记每日营销业绩): registered by the RM, confirmed by the core-banking event that bears
them out (or by the lead's check where none can), published once confirmed, listed for the lead when
still unconfirmed after 30 days; and the role × operation × scope matrix of the routes."""
from sqlmodel import select

from services.customer.models import AuditEntry
from shared.outbox import OutboxMessage
from tests.customer.helpers import create, deposit_opened, loan_disbursed
from tests.support import core_event


async def new_customer(customer_api, login, who="rm01") -> dict:
    r = await create(customer_api, await login(who), kind="retail", name="王小明")
    assert r.status_code == 201, r.text
    return r.json()


async def outbox(db, event_type: str, cif: str) -> list[dict]:
    async with db() as s:
        rows = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == event_type,
                                                         OutboxMessage.key == cif))).all()
    return [r.payload["data"] for r in rows]


def fee_posted(cif: str, fee_id: str, amount: str, day: str) -> dict:
    return core_event("fee.posted", cif, {"fee_id": fee_id, "customer_id": cif, "category": "settlement",
                                          "amount": amount, "currency": "CNY", "posted_on": day}, business_date=day)


async def register(customer_api, login, customer, who="rm01", **body):
    return await customer_api.post("/api/v1/marketing-results", headers=await login(who),
                                   json={"customer_id": customer["id"], **body})


async def test_a_later_account_opening_confirms_a_deposit_result_once(customer_api, customer_db, login, apply_event):
    customer = await new_customer(customer_api, login)
    cif = customer["cif"]
    r = await register(customer_api, login, customer, category="deposit", amount="300000.00", date="2026-11-02")
    assert r.status_code == 201 and r.json()["status"] == "registered" and r.json()["date"] == "2026-11-02"
    [registered] = await outbox(customer_db, "marketing-result.registered", cif)
    assert (registered["rm"], registered["amount"], registered["category"]) == ("rm01", "300000.00", "deposit")
    await apply_event(loan_disbursed(cif, f"L-{cif}", "100000.00", day="2026-11-03"))      # not a deposit
    await apply_event(deposit_opened(cif, f"A-{cif}-old", day="2026-11-01"))               # before the result
    assert await outbox(customer_db, "marketing-result.confirmed", cif) == []
    await apply_event(deposit_opened(cif, f"A-{cif}", day="2026-11-05"))
    await apply_event(deposit_opened(cif, f"A-{cif}-2", day="2026-11-06"))   # nothing left to confirm
    [confirmed] = await outbox(customer_db, "marketing-result.confirmed", cif)
    assert (confirmed["result_id"], confirmed["confirmed_by"], confirmed["evidence"], confirmed["confirmed_on"]) == (
        r.json()["id"], "event", f"deposit.opened:A-{cif}", "2026-11-05")
    listed = await customer_api.get("/api/v1/marketing-results?from=2026-11-01&to=2026-11-30",
                                    headers=await login("rm01"))
    assert [(x["id"], x["status"], x["confirmed_by"]) for x in listed.json()["items"] if x["cif"] == cif] == [
        (r.json()["id"], "confirmed", "event")]


async def test_fees_and_loans_confirm_their_categories_within_the_window_and_reversals_do_not(
        customer_api, customer_db, login, apply_event):
    customer = await new_customer(customer_api, login)
    cif = customer["cif"]
    fee = await register(customer_api, login, customer, category="fee", amount="800.00", date="2026-11-02")
    loan = await register(customer_api, login, customer, category="loan", amount="500000.00", date="2026-11-02")
    await apply_event(fee_posted(cif, "F-REV", "-800.00", "2026-11-03"))
    await apply_event(loan_disbursed(cif, f"L-{cif}", "500000.00", day="2026-11-20"))   # past the 10-day window
    assert await outbox(customer_db, "marketing-result.confirmed", cif) == []
    await apply_event(fee_posted(cif, "F-1", "800.00", "2026-11-04"))
    confirmed = await outbox(customer_db, "marketing-result.confirmed", cif)
    assert [c["result_id"] for c in confirmed] == [fee.json()["id"]]
    assert loan.json()["id"] not in {c["result_id"] for c in confirmed}


async def test_the_lead_checks_a_card_result_and_core_banking_categories_are_not_the_leads(
        customer_api, customer_db, login, apply_event):
    customer = await new_customer(customer_api, login)
    card = await register(customer_api, login, customer, category="card", count=2, date="2026-11-02")
    deposit = await register(customer_api, login, customer, category="deposit", amount="1000.00", date="2026-11-02")
    lead = await login("lead01")
    r = await customer_api.post(f"/api/v1/marketing-results/{deposit.json()['id']}/confirm", headers=lead)
    assert r.status_code == 409
    r = await customer_api.post(f"/api/v1/marketing-results/{card.json()['id']}/confirm", headers=lead)
    assert r.status_code == 200 and (r.json()["status"], r.json()["confirmed_by"]) == ("confirmed", "lead")
    [confirmed] = await outbox(customer_db, "marketing-result.confirmed", customer["cif"])
    assert (confirmed["count"], confirmed["evidence"]) == (2, "lead01")
    async with customer_db() as s:
        actions = {e.action for e in (await s.exec(select(AuditEntry).where(AuditEntry.cif == customer["cif"]))).all()}
    assert {"marketing_result.registered", "marketing_result.confirmed"} <= actions


async def test_bad_input_is_refused_with_the_field_and_nothing_is_registered(customer_api, customer_db, login):
    customer = await new_customer(customer_api, login)
    both = await register(customer_api, login, customer, category="deposit", amount="1.00", count=1, date="2026-11-02")
    neither = await register(customer_api, login, customer, category="deposit", date="2026-11-02")
    unknown = await register(customer_api, login, customer, category="lottery", count=1, date="2026-11-02")
    assert [r.status_code for r in (both, neither, unknown)] == [422, 422, 422]
    assert both.json()["errors"][0]["field"] == "amount"
    assert await outbox(customer_db, "marketing-result.registered", customer["cif"]) == []


async def test_unconfirmed_results_older_than_30_days_are_listed_for_the_lead(customer_api, login):
    customer = await new_customer(customer_api, login)
    old = await register(customer_api, login, customer, category="insurance", count=1, date="2026-10-01")
    recent = await register(customer_api, login, customer, category="insurance", count=1, date="2026-10-20")
    listed = await customer_api.get("/api/v1/marketing-results/unconfirmed?as_of=2026-11-10",
                                    headers=await login("lead01"))
    ids = {x["id"] for x in listed.json()["items"]}
    assert old.json()["id"] in ids and recent.json()["id"] not in ids
    r = await customer_api.get("/api/v1/marketing-results/unconfirmed", headers=await login("rm01"))
    assert r.status_code == 403


async def test_role_operation_scope_matrix_of_marketing_results(customer_api, login, second_branch):
    mine = await new_customer(customer_api, login)
    far = await new_customer(customer_api, login, who="rm03")
    far_result = await register(customer_api, login, far, who="rm03", category="card", count=1, date="2026-11-02")
    mine_result = await register(customer_api, login, mine, category="card", count=1, date="2026-11-02")
    cases = [
        ("rm01", "post", "/api/v1/marketing-results", {"customer_id": far["id"], "category": "card", "count": 1,
                                                      "date": "2026-11-02"}, 404),
        ("audit01", "post", "/api/v1/marketing-results", {"customer_id": mine["id"], "category": "card", "count": 1,
                                                         "date": "2026-11-02"}, 403),
        ("lead01", "post", f"/api/v1/marketing-results/{far_result.json()['id']}/confirm", None, 404),
        ("rm01", "post", f"/api/v1/marketing-results/{mine_result.json()['id']}/confirm", None, 403),
        ("rm02", "post", f"/api/v1/marketing-results/{mine_result.json()['id']}/confirm", None, 404),
        ("audit01", "get", "/api/v1/marketing-results/unconfirmed", None, 403),
        ("lead01", "post", f"/api/v1/marketing-results/{mine_result.json()['id']}/confirm", None, 200),
    ]
    for who, method, path, body, expected in cases:
        kwargs = {"json": body} if body is not None else {}
        r = await getattr(customer_api, method)(path, headers=await login(who), **kwargs)
        assert r.status_code == expected, (who, path, r.status_code, r.text)
    seen = await customer_api.get("/api/v1/marketing-results?from=2026-11-02&limit=200", headers=await login("lead01"))
    assert mine_result.json()["id"] in {x["id"] for x in seen.json()["items"]}
    assert far_result.json()["id"] not in {x["id"] for x in seen.json()["items"]}
    stale = await customer_api.get("/api/v1/marketing-results/unconfirmed?as_of=2026-12-31&limit=200",
                                   headers=await login("lead01"))
    assert stale.status_code == 200 and far_result.json()["id"] not in {x["id"] for x in stale.json()["items"]}


async def test_an_account_opened_before_the_result_is_registered_confirms_it_at_registration(
        customer_api, customer_db, login, apply_event):
    """Opened at the counter in the morning, registered in the evening: the holdings already know."""
    customer = await new_customer(customer_api, login)
    cif = customer["cif"]
    await apply_event(deposit_opened(cif, f"A-{cif}", product="wealth", day="2026-11-09"))
    first = await register(customer_api, login, customer, category="wealth", amount="200000.00", date="2026-11-09")
    second = await register(customer_api, login, customer, category="wealth", amount="100000.00", date="2026-11-09")
    assert (first.json()["status"], first.json()["confirmed_by"]) == ("confirmed", "event")
    assert second.json()["status"] == "registered"   # one account opened confirms one result
    [confirmed] = await outbox(customer_db, "marketing-result.confirmed", cif)
    assert (confirmed["result_id"], confirmed["evidence"]) == (first.json()["id"], f"deposit.opened:A-{cif}")
    await apply_event(deposit_opened(cif, f"A-{cif}", product="wealth", day="2026-11-09"))   # sent again
    assert len(await outbox(customer_db, "marketing-result.confirmed", cif)) == 1


async def test_newest_first_pages_back_from_the_latest_day_without_repeating_a_result(customer_api, login):
    customer = await new_customer(customer_api, login)
    made = [(await register(customer_api, login, customer, category="card", count=1, date=day)).json()["id"]
            for day in ("2026-10-05", "2026-10-07", "2026-10-06")]
    seen, cursor = [], None
    while True:
        r = await customer_api.get("/api/v1/marketing-results", headers=await login("rm01"), params={
            "from": "2026-10-05", "to": "2026-10-07", "rm": "rm01", "newest_first": "true", "limit": 1,
            **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        seen += [(x["id"], x["date"]) for x in r.json()["items"] if x["cif"] == customer["cif"]]
        if not (cursor := r.json()["next_cursor"]):
            break
    assert [day for _, day in seen] == ["2026-10-07", "2026-10-06", "2026-10-05"]
    assert sorted(i for i, _ in seen) == sorted(made)

"""What the app's screens need from the customer service: every list pages as {items, next_cursor} on a
cursor; names beside CIFs and usernames; a total, tier/status filters and phone search on the customer
list; the RM a transfer is addressed to sees it; the overdue loans of a scope in one list; the customer
360 in one call, 404 outside scope."""
import base64
import random
from datetime import timedelta

from sqlmodel import select

from services.customer.models import Customer
from shared.clock import business_today
from tests.customer.helpers import create, deposit_changed, deposit_opened, loan_disbursed
from tests.support import core_event


def overdue(cif, loan, days, principal="1000.00"):
    return core_event("loan.overdue", cif, {"loan_id": loan, "customer_id": cif, "as_of": "2026-11-20",
                                            "days_overdue": days, "overdue_principal": principal,
                                            "overdue_interest": "10.00"})


async def visit(api, headers, customer, notes, day=None):
    r = await api.post(f"/api/v1/customers/{customer['id']}/interactions", headers=headers, json={
        "channel": "visit", "occurred_on": str(day or business_today()), "notes": notes})
    assert r.status_code == 201, r.text
    return r.json()


async def every_page(api, url, headers, limit, **params):
    """All items of a list, page by page on its cursor, and how many pages it took."""
    items, cursor, pages = [], None, 0
    while True:
        r = await api.get(url, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})},
                          headers=headers)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        pages += 1
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items, pages


async def test_a_customers_interactions_page_on_the_cursor_latest_first_without_repeats(customer_api, login):
    rm = await login("rm01")
    c = (await create(customer_api, rm)).json()
    today = business_today()
    logged = [await visit(customer_api, rm, c, f"第{i}次走访", today - timedelta(days=i % 2)) for i in range(5)]
    items, pages = await every_page(customer_api, f"/api/v1/customers/{c['id']}/interactions", rm, 2)
    assert pages == 3 and len(items) == 5
    assert sorted(i["id"] for i in items) == sorted(i["id"] for i in logged)
    assert [i["occurred_on"] for i in items] == sorted((i["occurred_on"] for i in items), reverse=True)
    tampered = base64.urlsafe_b64encode(b'[["s","x"]]').decode()
    r = await customer_api.get(f"/api/v1/customers/{c['id']}/interactions?cursor={tampered}", headers=rm)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"


async def test_lists_carry_the_customers_name_beside_the_cif_and_staff_display_names(customer_api, login):
    rm = await login("rm01")
    c = (await create(customer_api, rm, name="名称显示测试有限公司")).json()
    entry = await visit(customer_api, rm, c, "走访")
    assert (entry["customer_name"], entry["rm_name"]) == ("名称显示测试有限公司", "张经理")
    log = (await customer_api.get(f"/api/v1/worklog?day={business_today()}&limit=200", headers=rm)).json()["items"]
    assert {(i["cif"], i["customer_name"]) for i in log if i["id"] == entry["id"]} == {(c["cif"], c["name"])}
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer-requests", headers=rm,
                                json={"to": "rm02", "reason": "客户搬迁到陈经理片区"})
    assert r.status_code == 201, r.text
    listed = (await customer_api.get("/api/v1/transfer-requests?status=pending&limit=200",
                                     headers=await login("lead01"))).json()["items"]
    [request] = [x for x in listed if x["id"] == r.json()["id"]]
    assert (request["customer_name"], request["to_owner_name"], request["requested_by_name"]) == \
        ("名称显示测试有限公司", "陈经理", "张经理")
    me = (await customer_api.get("/api/v1/me", headers=rm)).json()
    assert (me["username"], me["display_name"]) == ("rm01", "张经理")
    staff = (await customer_api.get("/api/v1/staff?q=rm0", headers=await login("lead01"))).json()["items"]
    assert {"rm01": "张经理", "rm02": "陈经理"}.items() <= {s["username"]: s["display_name"] for s in staff}.items()


async def test_the_rm_a_transfer_request_is_addressed_to_sees_it_pending_but_cannot_decide_it(customer_api, login,
                                                                                             second_branch):
    c = (await create(customer_api, await login("rm01"))).json()
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer-requests", headers=await login("rm01"),
                                json={"to": "rm02", "reason": "调整片区"})
    rid = r.json()["id"]
    mine = await customer_api.get("/api/v1/transfer-requests?status=pending&to=me", headers=await login("rm02"))
    assert rid in {x["id"] for x in mine.json()["items"]}
    assert all(x["to_owner"] == "rm02" for x in mine.json()["items"])
    decided = await customer_api.post(f"/api/v1/transfer-requests/{rid}/approve", json={}, headers=await login("rm02"))
    assert decided.status_code in (403, 404) and decided.json()["code"] != "already_decided"
    elsewhere = await customer_api.get("/api/v1/transfer-requests?limit=200", headers=await login("rm03"))
    assert rid not in {x["id"] for x in elsewhere.json()["items"]}


async def test_customer_search_counts_every_match_and_filters_by_tier_and_status(customer_api, login, customer_db):
    rm = await login("rm01")
    token = f"计数{random.randrange(10**6)}"
    made = [(await create(customer_api, rm, name=f"{token}贸易{i}号")).json() for i in range(3)]
    first = (await customer_api.get("/api/v1/customers", params={"q": token, "limit": 2}, headers=rm)).json()
    assert (len(first["items"]), first["total"]) == (2, 3) and first["next_cursor"]
    rest = (await customer_api.get("/api/v1/customers", params={"q": token, "limit": 2, "cursor": first["next_cursor"]},
                                   headers=rm)).json()
    assert [c["id"] for c in first["items"] + rest["items"]] == sorted((c["id"] for c in made),
                                                                         key=lambda i: next(m["cif"] for m in made
                                                                                            if m["id"] == i))
    async with customer_db() as s:
        row = (await s.exec(select(Customer).where(Customer.id == made[0]["id"]))).one()
        row.tier = "gold"
        s.add(row)
        await s.commit()
    r = await customer_api.patch(f"/api/v1/customers/{made[1]['id']}", json={"status": "active"},
                                 headers={**rm, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    gold = (await customer_api.get("/api/v1/customers", params={"q": token, "tier": "gold"}, headers=rm)).json()
    assert ([c["id"] for c in gold["items"]], gold["total"]) == ([made[0]["id"]], 1)
    active = (await customer_api.get("/api/v1/customers", params={"q": token, "status": "active"}, headers=rm)).json()
    assert [c["id"] for c in active["items"]] == [made[1]["id"]]
    bad = await customer_api.get("/api/v1/customers?tier=vip", headers=rm)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tier"


async def test_phone_search_takes_the_full_number_or_its_last_four_digits_and_shows_it_masked(customer_api, login):
    rm = await login("rm01")
    phone = f"139{random.randrange(10**8):08d}"
    c = (await create(customer_api, rm, phone=phone)).json()
    for q in (phone, f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}", phone[-4:]):
        r = (await customer_api.get("/api/v1/customers", params={"q": q, "limit": 200}, headers=rm)).json()
        [found] = [x for x in r["items"] if x["id"] == c["id"]]
        assert found["phone"] == f"{phone[:3]}****{phone[-4:]}", q
    for partial in (phone[:7], phone[3:7], phone[-5:]):   # no other fragment finds a number
        r = (await customer_api.get("/api/v1/customers", params={"q": partial, "limit": 200}, headers=rm)).json()
        assert c["id"] not in {x["id"] for x in r["items"]}, partial
    assert c["id"] not in {x["id"] for x in (await customer_api.get(
        "/api/v1/customers", params={"q": phone}, headers=await login("rm02"))).json()["items"]}


async def test_the_overdue_loans_of_a_scope_come_in_one_list_longest_overdue_first(customer_api, login, apply_event,
                                                                                  second_branch):
    mine = [(await create(customer_api, await login("rm01"), name=f"逾期客户{i}")).json() for i in range(2)]
    far = (await create(customer_api, await login("lead02"), owner="rm03")).json()
    for c, loan, days in ((mine[0], "OD-A", 5), (mine[1], "OD-B", 40), (far, "OD-C", 90)):
        await apply_event(loan_disbursed(c["cif"], loan, "500000.00"))
        await apply_event(overdue(c["cif"], loan, days))
    await apply_event(loan_disbursed(mine[0]["cif"], "OD-D", "100000.00"))   # not overdue: not listed

    async def listed(who, **params):
        items, _ = await every_page(customer_api, "/api/v1/loans/overdue", await login(who), 1, **params)
        return [(x["loan_id"], x["days_overdue"], x["customer_name"], x["owner_name"]) for x in items
                if x["loan_id"].startswith("OD-")]
    assert await listed("risk01") == [("OD-B", 40, "逾期客户1", "张经理"), ("OD-A", 5, "逾期客户0", "张经理")]
    assert await listed("risk01", min_days=30) == [("OD-B", 40, "逾期客户1", "张经理")]
    assert await listed("rm02") == []
    for who in ("rm01", "lead01", "branch01", "audit01"):   # each role its scope: rm03's loan is in none of them
        assert [x[0] for x in await listed(who)] == ["OD-B", "OD-A"], who
    assert [x[0] for x in await listed("admin")] == ["OD-C", "OD-B", "OD-A"]


async def test_the_customer_360_comes_in_one_call_and_is_404_outside_scope(customer_api, login, apply_event):
    rm = await login("rm01")
    c = (await create(customer_api, rm, name="三六零测试公司", phone="13900001111")).json()
    await apply_event(deposit_opened(c["cif"], f"D-{c['cif']}"))
    await apply_event(deposit_changed(c["cif"], f"D-{c['cif']}", "80000.00", "80000.00"))
    await apply_event(loan_disbursed(c["cif"], f"L-{c['cif']}", "200000.00"))
    await apply_event(overdue(c["cif"], f"L-{c['cif']}", 12, "20000.00"))
    assert (await customer_api.post(f"/api/v1/customers/{c['id']}/contacts", headers=rm, json={
        "name": "刘财务", "role": "财务总监", "phone": "13800002222"})).status_code == 201
    for i in range(7):
        await visit(customer_api, rm, c, f"第{i}次")
    r = await customer_api.get(f"/api/v1/customers/{c['id']}/overview", headers=rm)
    assert r.status_code == 200, r.text
    view = r.json()
    assert (view["customer"]["name"], view["customer"]["phone"]) == ("三六零测试公司", "139****1111")
    h = view["holdings"]
    assert (h["deposits"], h["deposit_accounts"], h["loans"], h["overdue_loans"], h["overdue_amount"]) == \
        ({"CNY": "80000.00"}, 1, 1, 1, "20010.00")
    assert [(o["role"], o["owner"], o["owner_name"]) for o in view["owners"]] == [("A", "rm01", "张经理")]
    assert [i["notes"] for i in view["recent_interactions"]] == [f"第{i}次" for i in (6, 5, 4, 3, 2)]
    assert [(k["name"], k["phone"]) for k in view["contacts"]] == [("刘财务", "138****2222")]
    outside = await customer_api.get(f"/api/v1/customers/{c['id']}/overview", headers=await login("rm02"))
    absent = await customer_api.get("/api/v1/customers/00000000-0000-0000-0000-000000000000/overview", headers=rm)
    assert outside.status_code == absent.status_code == 404
    assert outside.json() == absent.json()


def test_every_code_a_message_can_carry_has_words_in_both_languages():
    from typing import get_args

    from services.customer.schemas import MarketingResultCreate
    from services.customer.service.customers import STAGES
    from services.customer.texts import LABELS
    from shared.tiers import GRADE_REACH, TIER_HEIGHT
    categories = get_args(MarketingResultCreate.model_fields["category"].annotation)
    for name, codes in (("tier", TIER_HEIGHT), ("grade", GRADE_REACH), ("stage", STAGES),
                        ("category", categories)):
        assert set(codes) <= set(LABELS[name]), name
    for words in LABELS.values():
        assert all(zh and en and "_" not in en for zh, en in words.values())


async def test_messages_word_codes_in_chinese_and_in_english(customer_api, login):
    rm = await login("rm01")
    c = (await create(customer_api, rm, status="prospect")).json()
    url = f"/api/v1/customers/{c['id']}/pipeline"
    assert (await customer_api.post(url, json={"stage": "contacted"}, headers=rm)).status_code == 200
    zh = await customer_api.post(url, json={"stage": "researched"}, headers=rm)
    en = await customer_api.post(url, json={"stage": "researched"}, headers={**rm, "Accept-Language": "en"})
    assert zh.status_code == en.status_code == 422
    assert zh.json()["detail"] == "不能从“已接触”退回到“已调研”"
    assert en.json()["detail"] == "Cannot go back from contacted to researched"
    r = await customer_api.post(f"/api/v1/customers/{c['id']}/transfer-requests", headers=rm,
                                json={"to": "rm02", "reason": "调整"})
    approve = f"/api/v1/transfer-requests/{r.json()['id']}/approve"
    assert (await customer_api.post(approve, json={}, headers=await login("lead01"))).status_code == 200
    again = await customer_api.post(approve, json={}, headers=await login("lead01"))
    assert again.status_code == 409 and again.json()["detail"] == "该申请已处理（已批准）"

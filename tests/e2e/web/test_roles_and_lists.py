"""Every demo role on the phone: each demo user the seed creates signs in to a home of their role's own
(their role named, their shortcuts, no part the role may not have shown as an error), and every screen
those shortcuts open renders cleanly; the credit reviewer's queue and the deputy head's approvals work;
the customer 360 paints from one call; long lists follow the cursor as the person scrolls."""
import uuid

import pytest

from services.customer.cli.seed import STAFF
from services.customer.rules import CREDIT_CHECKLIST
from tests.e2e.web.test_rm_day import customer_of

pytestmark = pytest.mark.e2e
DEMO_USERS = [username for username, *_ in STAFF]
WHO = {username: roles for username, _, roles, *_ in STAFF}


@pytest.mark.parametrize("username", DEMO_USERS)
async def test_every_demo_user_gets_a_home_of_their_role_and_every_screen_it_offers_renders(api, phones, username):
    person = await phones(username)
    page = person.page
    roles = page.locator("[data-test=roles]")
    await roles.wait_for()
    await page.wait_for_load_state("networkidle")
    shown = await roles.inner_text()
    # a role the app does not know would be shown as its code
    assert shown and not any(role in shown for role in WHO[username]), shown
    assert await page.get_by_role("alert").count() == 0, await page.get_by_role("alert").all_inner_texts()
    # every service is up: a part "暂不可用" here is one the role was refused, shown instead of left out
    assert await page.get_by_text("暂不可用").count() == 0
    await person.check(f"home-{username}")
    shortcuts = page.locator("[data-test=shortcuts] .van-grid-item")
    tabs = page.locator(".van-tabbar-item")
    offered = await shortcuts.count()
    assert offered + await page.locator("[data-test=agenda-item]").count() > 0 or WHO[username] == ["auditor"], \
        f"{username}'s home offers nothing to do"
    for i in range(offered):
        await shortcuts.nth(i).click()
        await page.wait_for_url(lambda url: not url.endswith("/home"))
        await person.check(f"{username}-shortcut-{i}")
        assert await page.get_by_role("alert").count() == 0, (page.url, await page.get_by_role("alert").all_inner_texts())
        await page.goto("/home")
        await roles.wait_for()
    for i in range(1, await tabs.count()):
        await tabs.nth(i).click()
        await person.check(f"{username}-tab-{i}")
        assert await page.get_by_role("alert").count() == 0, (page.url, await page.get_by_role("alert").all_inner_texts())


async def _submitted_credit_file(api, purpose: str) -> dict:
    customer = await customer_of(api, "rm01")
    r = await api.call("POST", "/credit-applications", "rm01", json={
        "customer_id": customer["id"], "product": "流动资金贷款", "amount": "500000.00", "purpose": purpose,
        "investigators": ["rm01", "rm02"], "documents": list(CREDIT_CHECKLIST), "commitment": True})
    assert r.status_code == 201 and r.json()["status"] == "ready", r.text
    for signer in ("rm01", "risk01"):   # 双签
        signed = await api.call("POST", f"/credit-applications/{r.json()['id']}/submit", signer)
        assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "submitted"
    return signed.json()


async def test_the_credit_reviewer_approves_a_level_and_declines_the_next_only_with_a_reason(api, phones):
    purpose = f"备货周转 {uuid.uuid4().hex[:6]}"
    application = await _submitted_credit_file(api, purpose)
    reviewer = await phones("credit01")
    page = reviewer.page
    await page.locator("[data-test=shortcuts]").get_by_text("授信审查").click()
    file = page.locator("[data-test=credit-file]", has_text=purpose)
    await file.wait_for()
    await reviewer.shot("credit-review")
    await page.get_by_role("button", name="批准", exact=True).last.click()
    await page.get_by_role("button", name="批准 (审批层级 1)").click()
    await page.get_by_text("审批层级 1: 批准 · credit01").wait_for()

    await page.get_by_role("button", name="否决", exact=True).last.click()
    decline = page.get_by_role("button", name="否决 (审批层级 2)")
    assert await decline.is_disabled()   # a decline needs a reason
    await page.fill("textarea[name=credit-reason]", "第一还款来源不足")
    await decline.click()
    await file.wait_for(state="detached")   # declined: off the queue
    reviews = (await api.call("GET", f"/credit-applications/{application['id']}", "credit01")).json()
    assert reviews["status"] == "declined"
    assert [(r["level"], r["decision"], r["reason"], r["reviewer"]) for r in reviews["reviews"]] == [
        (1, "approve", None, "credit01"), (2, "decline", "第一还款来源不足", "credit01")]


async def test_the_deputy_head_approves_one_outside_service_request_and_declines_another_with_a_note(api, phones):
    customer = await customer_of(api, "rm01")
    places = [f"客户仓库 {uuid.uuid4().hex[:6]}" for _ in range(2)]
    ids = []
    for place in places:
        r = await api.call("POST", "/conduct/outside-service", "rm01", json={
            "customer_id": customer["id"], "occurred_on": "2026-11-25", "place": place, "purpose": "上门开户",
            "second_staff": "lead01"})
        assert r.status_code == 201 and r.json()["status"] == "pending", r.text
        ids.append(r.json()["id"])
    deputy = await phones("vice01")
    page = deputy.page
    await page.locator("[data-test=shortcuts]").get_by_text("待审批事项").click()
    first = page.locator("[data-test=approval]", has_text=places[0])
    await first.wait_for()
    await deputy.shot("approvals")
    await page.locator(f"[data-test=approval]:has-text('{places[0]}') + .row").get_by_role("button", name="批准").click()
    await first.wait_for(state="detached")
    second = f"[data-test=approval]:has-text('{places[1]}') + .row"
    await page.locator(second).get_by_role("button", name="否决").click()
    await page.fill("textarea[name=approval-note]", "请改约客户到网点办理")
    await page.locator(".inline-form").get_by_role("button", name="否决").click()
    await page.locator("[data-test=approval]", has_text=places[1]).wait_for(state="detached")
    records = (await api.call("GET", "/conduct/records?kind=outside_service&limit=200", "vice01")).json()["items"]
    decided = {r["id"]: (r["status"], r["decided_by"]) for r in records}
    assert [decided[i] for i in ids] == [("approved", "vice01"), ("rejected", "vice01")]


async def test_the_customer_360_paints_from_one_call_and_reads_the_ownership_history_only_when_opened(api, phones):
    customer = await customer_of(api, "rm01")
    rm = await phones("rm01")
    page = rm.page
    calls: list[str] = []
    page.on("request", lambda request: calls.append(request.url.split("/api/v1/", 1)[1])
            if f"/api/v1/customers/{customer['id']}" in request.url else None)
    await page.goto(f"/customers/{customer['id']}")
    await page.locator("[data-test=owner]").first.wait_for()
    await page.wait_for_load_state("networkidle")
    assert calls == [f"customers/{customer['id']}/overview"]
    assert "张经理" in await page.locator("[data-test=owner]").first.inner_text()   # rm01, by name

    await page.locator("[data-test=ownership-history]").get_by_text("归属历史").click()
    await page.locator("[data-test=ownership-row]").first.wait_for()
    assert any(c.startswith(f"customers/{customer['id']}/ownership") for c in calls)


async def test_complaints_past_the_first_page_show_as_the_lead_scrolls(api, phones):
    customer = await customer_of(api, "rm01")
    marker = uuid.uuid4().hex[:6]
    texts = [f"排队久 {marker} 第{n}件" for n in range(35)]   # more than one page of the screen (30)
    for text in texts:
        r = await api.call("POST", "/complaints", "rm01", json={
            "customer_id": customer["id"], "channel": "counter", "category": "service", "severity": "low", "text": text})
        assert r.status_code == 201, r.text
    lead = await phones("lead01")
    page = lead.page
    await page.goto("/complaints")
    rows = page.locator("[data-test=complaint]", has_text=marker)
    await rows.first.wait_for()
    for _ in range(20):   # scroll to the end until the list says there is no more
        if await rows.count() == len(texts):
            break
        await page.mouse.wheel(0, 4000)
        await page.wait_for_load_state("networkidle")
    shown = await rows.all_inner_texts()
    assert sorted(text for text in texts if any(text in row for row in shown)) == sorted(texts) and len(shown) == len(texts)

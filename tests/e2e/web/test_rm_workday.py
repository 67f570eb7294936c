"""The RM's day and the lead's checks on the new screens, in Chromium at 390×844 (zh-CN), against the
running stack: book and plan, register a result, submit the daily summary; the lead sees it submitted,
confirms the result and resolves a complaint."""
from datetime import datetime

import pytest

from shared.clock import BANK_TZ
from tests.e2e.web.test_rm_day import customer_of
from tests.support import wait_for
from tools.watch import query

pytestmark = pytest.mark.e2e


async def pick_customer(page, field: str, cif: str) -> None:
    await page.fill(f"input[name={field}]", cif)
    await page.locator("[data-test=customer-match]", has_text=cif).click()


async def book(page, cif: str, start: str, end: str) -> None:
    change = page.get_by_role("button", name="更换")   # a refused booking keeps its form for another try
    if await change.count():
        await change.click()
    await pick_customer(page, "book-customer", cif)
    await page.fill("input[name=book-start]", start)
    await page.fill("input[name=book-end]", end)
    await page.fill("input[name=book-place]", "客户家中")
    await page.fill("input[name=book-purpose]", "介绍大额存单")
    await page.get_by_role("button", name="预约客户").click()


async def test_rm_books_and_plans_registers_a_result_submits_the_summary_and_the_lead_sees_it(api, phones):
    today = datetime.now(BANK_TZ).date().isoformat()
    customer = await customer_of(api, "rm01")
    cif = customer["cif"]

    async def tasks_knows_the_customer():   # the tasks service learns of customers from customer.events
        return await query(api.stack, "tasks", "SELECT 1 FROM customer_book WHERE cif = :cif", cif=cif)
    await wait_for(tasks_knows_the_customer, timeout=30, what="the customer in the tasks service's book")

    rm = await phones("rm01", expect_errors=("409",))
    page = rm.page
    await page.locator("[data-test=shortcuts]").get_by_text("我的一天").click()
    await page.wait_for_url("**/day")
    await book(page, cif, "10:00", "11:00")
    appointment = page.locator("[data-test=appointment]", has_text=cif)
    await appointment.wait_for()
    assert "10:00–11:00" in await appointment.inner_text()

    await book(page, cif, "10:30", "11:30")   # the same RM at the same time: refused with the reason in Chinese
    assert "冲突" in await page.locator("[data-test=book-error]").inner_text()
    assert await appointment.count() == 1

    await book(page, cif, "15:00", "15:30")
    later = page.locator("[data-test=appointment]", has_text="15:00–15:30")
    await later.get_by_role("button", name="取消预约").click()
    await later.filter(has_text="已取消").wait_for()

    await page.get_by_role("checkbox", name="当日工作计划: 10:00 介绍大额存单").click()
    await page.fill("input[name=note-0]", "带宣传册")
    await page.fill("textarea[name=day-note]", "上午拜访，下午整理资料")
    await page.get_by_role("button", name="保存计划").click()
    await page.get_by_text("已保存").wait_for()
    await rm.shot("my-day")
    plan = (await api.call("GET", f"/me/day-plan?date={today}", "rm01")).json()
    assert [(i["kind"], i["note"]) for i in plan["items"]] == [("appointment", "带宣传册")]
    assert plan["appointments"][0]["cif"] == cif and plan["note"] == "上午拜访，下午整理资料"

    await page.goto("/home")
    on_home = page.locator("[data-test=home-appointment]", has_text=cif)
    await on_home.wait_for()
    assert "10:00–11:00" in await on_home.inner_text()

    await page.goto("/results")
    await pick_customer(page, "result-customer", cif)
    # an insurance sale: no core-banking event confirms it, the lead does
    await page.get_by_role("radio", name="保险").click()
    await page.get_by_role("radio", name="按笔数").click()
    await page.fill("input[name=result-figure]", "2")
    await page.get_by_role("button", name="登记", exact=True).click()
    result = page.locator("[data-test=result]", has_text=cif)
    await result.wait_for()
    assert "待确认" in await result.inner_text() and "保险 2 笔" in await result.inner_text()
    await rm.shot("results")

    await page.goto("/summary")
    marketing = page.locator("[data-test=summary-marketing_results]")

    async def drafted_with_the_result():   # the tasks service hears of the result from customer.events
        await page.reload()
        await marketing.wait_for()
        return cif in await marketing.inner_text()
    await wait_for(drafted_with_the_result, timeout=30, what="the result in the daily summary's draft")
    assert cif in await page.locator("[data-test=summary-appointments]").inner_text()
    await page.fill("textarea[name=summary-notes]", "拜访一位客户，登记理财业绩一笔")
    await page.get_by_role("button", name="提交").click()
    await page.locator("[data-test=summary-status]", has_text="已提交").wait_for()
    await rm.shot("summary")
    submitted = (await api.call("GET", f"/me/summaries/daily?date={today}", "rm01")).json()
    assert submitted["status"] == "submitted" and submitted["notes"] == "拜访一位客户，登记理财业绩一笔"

    lead = await phones("lead01")
    await lead.page.locator("[data-test=shortcuts]").get_by_text("团队小结").click()
    await lead.page.get_by_role("tab", name="今天").click()
    row = lead.page.locator("[data-test=summary-row]", has_text="rm01")
    await row.filter(has_text="已提交").wait_for()
    assert "未提交" in await lead.page.locator("[data-test=summary-row]", has_text="rm02").inner_text()
    await lead.shot("team-summaries")
    await row.click()   # a submitted summary opens read-only, with the RM's notes
    await lead.page.locator("[data-test=summary-status]", has_text="已提交").wait_for()
    assert await lead.page.input_value("textarea[name=summary-notes]") == "拜访一位客户，登记理财业绩一笔"

    await lead.page.goto("/results")
    to_confirm = lead.page.locator("[data-test=result-to-confirm]", has_text=cif)
    await to_confirm.wait_for()
    await lead.shot("results-to-confirm")
    await to_confirm.get_by_role("button", name="确认").click()
    await to_confirm.wait_for(state="detached")
    mine = (await api.call("GET", f"/marketing-results?from={today}&to={today}&limit=200", "rm01")).json()["items"]
    assert [(r["status"], r["count"], r["confirmed_by"]) for r in mine if r["cif"] == cif] == [("confirmed", 2, "lead")]


async def test_the_lead_resolves_a_complaint_on_the_phone(api, phones):
    customer = await customer_of(api, "rm01")
    r = await api.call("POST", "/complaints", "rm01", json={
        "customer_id": customer["id"], "channel": "phone", "category": "fees", "severity": "medium",
        "text": "客户对账户管理费有异议"})
    assert r.status_code == 201 and r.json()["handler"] == "lead01", r.text

    lead = await phones("lead01")
    await lead.page.locator("[data-test=shortcuts]").get_by_text("投诉处理").click()
    complaint = lead.page.locator("[data-test=complaint]", has_text="客户对账户管理费有异议")
    await complaint.get_by_role("button", name="办结").click()
    await lead.page.get_by_role("radio", name="银行").click()
    await lead.page.fill("textarea[name=complaint-finding]", "收费依据公告执行，解释不到位")
    await lead.page.fill("textarea[name=complaint-feedback]", "已向客户解释并致歉，客户认可")
    await lead.shot("complaint-resolve")
    await lead.page.get_by_role("button", name="确认办结").click()
    await complaint.wait_for(state="detached")
    resolved = [c for c in (await api.call("GET", "/complaints?status=resolved&limit=200", "lead01")).json()["items"]
                if c["id"] == r.json()["id"]]
    assert [(c["responsible"], c["feedback"]) for c in resolved] == [("bank", "已向客户解释并致歉，客户认可")]

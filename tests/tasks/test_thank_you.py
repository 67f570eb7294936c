"""新客户认同计划: a new customer's first business raises a thank-you due within 24 clock hours (a
`due_at` time), with the letter drafted; later business thanks nobody again; the agenda ranks it by
its time."""
from tests.support import core_event, loan_due, unique_cif
from tests.tasks.conftest import owned_customer, tasks_for


def opened(cif: str, account: str, business_date: str = "2026-11-25") -> dict:
    return core_event("deposit.opened", cif, {"account_id": account, "customer_id": cif, "product": "demand",
                                              "currency": "CNY", "opened_on": business_date},
                      business_date=business_date)


def disbursed(cif: str, loan: str) -> dict:
    return core_event("loan.disbursed", cif, {
        "loan_id": loan, "customer_id": cif, "product": "working_capital", "principal": "300000.00",
        "currency": "CNY", "disbursed_on": "2026-11-25", "maturity_date": "2027-11-25",
        "government_related": False, "classification": "normal"})


async def test_a_new_customers_first_account_raises_a_thank_you_due_in_24_clock_hours_with_the_letter(
        apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event, owner="rm01")
    await apply_event(opened(cif, "A-TY1"))                        # occurred 2026-11-25 08:00 UTC
    await apply_event(opened(cif, "A-TY2", "2026-11-27"))          # not the first: no second thank-you
    [task] = await tasks_for(tasks_db, cif, "first_business_thanks")
    assert task.due_at.isoformat() == "2026-11-26T08:00:00+00:00"   # 24 hours, not a business day
    assert (task.assignee, task.priority, str(task.due_date)) == ("rm01", 1, "2026-11-26")
    r = await tasks_api.get("/api/v1/tasks?assignee=me&status=open", headers=as_user("rm01"))
    [item] = [t for t in r.json()["items"] if t["rule"] == "first_business_thanks" and t["cif"] == cif]
    assert item["due_at"].startswith("2026-11-26T08:00:00") and "24 小时内致谢" in item["reason"]
    assert "感谢您选择我行开立账户" in item["letter"] and "rm01" in item["letter"]
    en = await tasks_api.get("/api/v1/tasks?assignee=me", headers=as_user("rm01", **{"Accept-Language": "en"}))
    assert "Thank you for choosing us for your new account" in next(
        t["letter"] for t in en.json()["items"] if t["rule"] == "first_business_thanks")


async def test_a_first_loan_is_first_business_too_and_an_unknown_customer_is_thanked_by_nobody(apply_event, tasks_db):
    borrower, stranger = await owned_customer(apply_event, owner="rm01"), unique_cif()
    await apply_event(disbursed(borrower, "L-TY1"))
    await apply_event(opened(borrower, "A-TY3", "2026-11-26"))
    await apply_event(opened(stranger, "A-TY4"))
    assert [t.params["about"] for t in await tasks_for(tasks_db, borrower, "first_business_thanks")] == ["L-TY1"]
    assert await tasks_for(tasks_db, stranger, "first_business_thanks") == []


async def test_the_agenda_ranks_the_thank_you_by_its_time(apply_event, tasks_api, as_user):
    cif = await owned_customer(apply_event, owner="rm02")
    # a collection due 26 Nov with a large exposure, and a thank-you due 26 Nov 16:00 Beijing time
    await apply_event(loan_due(cif, "L-TY2", "2026-12-26", principal_due="900000.00", business_date="2026-11-02"))
    await apply_event(opened(cif, "A-TY5"))
    today = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-25", headers=as_user("rm02"))).json()["items"]
    assert [i["rule"] for i in today] == ["first_business_thanks"]     # within 24 hours: on today's list
    assert "须在 2026-11-26 16:00 前完成" in today[0]["rank_reason"]
    tomorrow = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-26", headers=as_user("rm02"))).json()["items"]
    assert [i["rule"] for i in tomorrow] == ["first_business_thanks", "loan_due"]

"""One test per banking-event rule: a fixed event stream on a fixed business date, asserting the task,
its due date on the bank calendar (National Day 2026-10-01…07 off, Saturday 2026-10-10 worked: 调休),
the rule version it records, and the reason it gives."""
from datetime import date

import pytest

from services.tasks.service.escalation import escalate_overdue
from shared.clock import utcnow
from shared.events import CustomerRegistered
from tests.support import core_event, loan_due
from tests.tasks.conftest import customer_event, outbox_events, owned_customer, staff_event, tasks_for


def loan_event(kind: str, cif: str, business_date: str, **data) -> dict:
    return core_event(kind, cif, {"customer_id": cif, **data}, business_date=business_date)


def deposit_changed(cif: str, account: str, amount: str, balance: str, business_date: str) -> dict:
    return loan_event("deposit.changed", cif, business_date, account_id=account, product="demand", currency="CNY",
                      amount=amount, balance=balance)


async def test_overdue_loan_is_urgent_today_copies_the_risk_manager_and_escalates_daily(apply_event, tasks_db,
                                                                                        tasks_api, as_user):
    await apply_event(staff_event("risk01", ["risk_manager"], "HQ/BR01"))
    await apply_event(staff_event("lead01", ["team_lead"], "HQ/BR01/SB01", "T01"))
    cif = await owned_customer(apply_event)
    overdue = dict(loan_id="L-OD", overdue_principal="20000.00", overdue_interest="150.00")
    await apply_event(loan_event("loan.overdue", cif, "2026-11-25", as_of="2026-11-25", days_overdue=3, **overdue))
    await apply_event(loan_event("loan.overdue", cif, "2026-11-26", as_of="2026-11-26", days_overdue=4, **overdue))
    [task] = await tasks_for(tasks_db, cif)       # the daily re-send refreshes the same task
    assert (task.kind, task.priority, str(task.due_date), task.copied_to) == \
        ("overdue_collection", 1, "2026-11-25", "risk01")
    assert task.params["days_overdue"] == 4 and task.rule_version == 1
    async with tasks_db() as s:
        assert await escalate_overdue(s, date(2026, 11, 27), utcnow()) >= 1
        await s.commit()
    [task] = await tasks_for(tasks_db, cif)
    # found 2 business days late: the first escalation is level 1, the next business day level 2
    assert (task.escalated_to, task.escalation_level, task.assignee) == ("lead01", 1, "rm01")
    async with tasks_db() as s:
        assert await escalate_overdue(s, date(2026, 11, 27), utcnow()) == 0     # once a day
        await escalate_overdue(s, date(2026, 11, 30), utcnow())
        await s.commit()
    first, second = await outbox_events(tasks_db, "task.escalated", cif)
    assert (first["escalated_to"], first["level"], second["level"]) == ("lead01", 1, 2)
    lead = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-27", headers=as_user("lead01"))).json()
    [item] = [i for i in lead["items"] if i["cif"] == cif]
    assert item["assignee"] == "rm01" and "原执行人 rm01" in item["rank_reason"]
    risk = (await tasks_api.get("/api/v1/me/agenda?date=2026-11-27", headers=as_user("risk01"))).json()
    [item] = [i for i in risk["items"] if i["cif"] == cif]
    assert item["title"] == "逾期催收（紧急）：贷款 L-OD 已逾期 4 天" and "抄送" in item["rank_reason"]


async def test_overdue_reported_on_a_swapped_working_saturday_is_due_that_saturday(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(loan_event("loan.overdue", cif, "2026-10-10", loan_id="L-OD2", as_of="2026-10-10",
                                 days_overdue=1, overdue_principal="1.00", overdue_interest="0.00"))
    [task] = await tasks_for(tasks_db, cif)
    assert str(task.due_date) == "2026-10-10"


async def test_downgrade_asks_for_a_risk_review_in_3_business_days_across_national_day(apply_event, tasks_db,
                                                                                      tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_event("loan.classified", cif, "2026-09-29", loan_id="L-DG", as_of="2026-09-29",
                                 from_class="normal", to_class="substandard"))
    await apply_event(loan_event("loan.classified", cif, "2026-09-29", loan_id="L-UP", as_of="2026-09-29",
                                 from_class="doubtful", to_class="special_mention"))   # better: no review
    [task] = await tasks_for(tasks_db, cif)
    assert (task.subject, task.kind, str(task.due_date)) == ("L-DG", "risk_review", "2026-10-09")  # 30 Sep, 8, 9 Oct
    r = await tasks_api.get("/api/v1/tasks?assignee=me", headers=as_user("rm01", **{"Accept-Language": "en"}))
    [item] = [i for i in r.json()["items"] if i["cif"] == cif]
    assert "from normal to substandard" in item["reason"] and "3 business days" in item["reason"]


async def test_disbursement_asks_for_a_post_loan_inspection_within_15_days(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(loan_event("loan.disbursed", cif, "2026-09-22", loan_id="L-NEW", product="working_capital",
                                 principal="3000000.00", currency="CNY", disbursed_on="2026-09-22",
                                 maturity_date="2027-09-22", government_related=False, classification="normal"))
    [task] = await tasks_for(tasks_db, cif, "post_loan_inspection")
    # 22 Sep + 15 days = 7 Oct, inside National Day: the last business day before it
    assert (task.kind, str(task.due_date), str(task.amount)) == ("post_loan_inspection", "2026-09-30", "3000000.00")


async def test_large_outflow_in_a_day_asks_for_a_retention_call_the_next_business_day(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(deposit_changed(cif, "A-OUT", "-200000.00", "800000.00", "2026-10-09"))
    assert await tasks_for(tasks_db, cif) == []               # 20 % and under 500k: not yet
    await apply_event(deposit_changed(cif, "A-OUT", "-100000.00", "700000.00", "2026-10-09"))
    [task] = await tasks_for(tasks_db, cif)                   # 300k of 1M in the day: 30 %
    # Friday 9 Oct → the next business day is Saturday 10 Oct, worked for National Day (调休)
    assert (task.kind, str(task.due_date), str(task.amount)) == ("retention_call", "2026-10-10", "300000.00")
    assert task.params["share_pct"] == "30.0"


async def test_small_outflow_makes_no_task(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(deposit_changed(cif, "A-SMALL", "-100000.00", "900000.00", "2026-11-25"))
    assert await tasks_for(tasks_db, cif) == []


async def test_a_small_withdrawal_over_30_percent_of_a_small_account_is_no_retention_call(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(deposit_changed(cif, "A-TINY", "-3000.00", "6000.00", "2026-11-25"))   # a third of 9,000
    assert await tasks_for(tasks_db, cif) == []
    await apply_event(deposit_changed(cif, "A-MID", "-60000.00", "90000.00", "2026-11-25"))  # 40 %, over the floor
    [task] = await tasks_for(tasks_db, cif)
    assert (task.rule, str(task.amount)) == ("large_outflow", "60000.00")


async def test_money_coming_back_raises_no_follow_up_but_new_money_beyond_it_does(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(deposit_changed(cif, "A-RET", "-800000.00", "200000.00", "2026-11-25"))
    await apply_event(deposit_changed(cif, "A-RET", "800000.00", "1000000.00", "2026-11-26"))   # all of it back
    assert [(t.rule, t.status) for t in await tasks_for(tasks_db, cif)] == [("large_outflow", "cancelled")]
    await apply_event(deposit_changed(cif, "A-RET", "450000.00", "1450000.00", "2026-11-26"))   # new money: 450k
    assert [t.rule for t in await tasks_for(tasks_db, cif, "inflow_follow_up")] == []
    await apply_event(deposit_changed(cif, "A-RET", "100000.00", "1550000.00", "2026-11-26"))   # 550k new
    [follow_up] = await tasks_for(tasks_db, cif, "inflow_follow_up")
    assert str(follow_up.amount) == "550000.00"


async def test_money_coming_back_cancels_the_retention_call_with_that_reason(apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(deposit_changed(cif, "A-BACK", "-600000.00", "4400000.00", "2026-11-25"))
    await apply_event(deposit_changed(cif, "A-BACK", "400000.00", "4800000.00", "2026-11-26"))
    [task] = await tasks_for(tasks_db, cif, "large_outflow")
    assert task.status == "open"                              # only part of it is back
    await apply_event(deposit_changed(cif, "A-BACK", "200000.00", "5000000.00", "2026-11-26"))
    [task] = await tasks_for(tasks_db, cif, "large_outflow")
    assert (task.status, task.cancel_reason) == ("cancelled", "deposit_returned")
    [cancelled] = await outbox_events(tasks_db, "task.cancelled", cif)
    assert cancelled["reason"] == "deposit_returned"
    r = await tasks_api.get("/api/v1/tasks?status=cancelled", headers=as_user("rm01"))
    [item] = [i for i in r.json()["items"] if i["cif"] == cif]
    assert item["cancel_reason"] == "流出资金已回流"


async def test_large_inflow_gets_a_follow_up_within_one_business_day(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(deposit_changed(cif, "A-IN", "600000.00", "700000.00", "2026-09-30"))
    [task] = await tasks_for(tasks_db, cif)
    assert (task.kind, str(task.due_date)) == ("follow_up", "2026-10-08")      # over National Day


async def test_new_wealth_account_gets_a_follow_up_within_one_business_day(apply_event, tasks_db, tasks_api, as_user):
    cif = await owned_customer(apply_event)
    await apply_event(loan_event("deposit.opened", cif, "2026-11-27", account_id="W-1", product="wealth",
                                 currency="CNY", opened_on="2026-11-27"))
    [task] = await tasks_for(tasks_db, cif, "inflow_follow_up")
    assert (task.kind, str(task.due_date)) == ("follow_up", "2026-11-30")      # Friday → Monday
    r = await tasks_api.get("/api/v1/tasks?assignee=me", headers=as_user("rm01"))
    [item] = [i for i in r.json()["items"] if i["cif"] == cif and i["rule"] == "inflow_follow_up"]
    assert item["reason"].startswith("客户新开理财账户")


async def test_time_deposit_gets_a_maturity_call_7_days_before_and_closing_cancels_it(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(loan_event("deposit.opened", cif, "2026-04-08", account_id="T-1", product="time",
                                 currency="CNY", opened_on="2026-04-08", maturity_date="2026-10-08"))
    [task] = await tasks_for(tasks_db, cif, "time_deposit_maturity")
    # 8 Oct − 7 days = 1 Oct, National Day: the last business day before it
    assert (task.kind, str(task.due_date), task.params["lead_days"]) == ("maturity_call", "2026-09-30", 7)
    await apply_event(loan_event("deposit.closed", cif, "2026-06-01", account_id="T-1", closed_on="2026-06-01"))
    [task] = await tasks_for(tasks_db, cif, "time_deposit_maturity")
    assert (task.status, task.cancel_reason) == ("cancelled", "account_closed")


async def test_tier_change_asks_for_a_relationship_review_in_5_business_days(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(customer_event("customer.tier-changed", cif, "2026-09-25", kind="retail", from_tier="gold",
                                     to_tier="platinum", owner="rm01"))
    [task] = await tasks_for(tasks_db, cif, "tier_review")
    assert (task.kind, str(task.due_date)) == ("relationship_review", "2026-10-09")   # 28,29,30 Sep, 8,9 Oct
    assert task.tier_rank == 1 and task.params["to_tier"] == "platinum"


async def test_key_contact_change_asks_for_a_remarketing_visit_in_10_business_days(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(customer_event("customer.contact-changed", cif, "2026-11-25", contact_name="王芳",
                                     contact_role="财务总监", change="changed", owner="rm01"))
    [task] = await tasks_for(tasks_db, cif)
    assert (task.kind, str(task.due_date)) == ("remarketing_visit", "2026-12-09")
    assert task.params["contact_name"] == "王芳"


async def test_loan_repaid_before_due_cancels_its_collection_task_and_a_part_payment_does_not(apply_event, tasks_db):
    cif = await owned_customer(apply_event)
    await apply_event(loan_due(cif, "L-R", "2026-12-31"))
    repaid = dict(loan_id="L-R", interest_paid="350.00")
    await apply_event(loan_event("loan.repaid", cif, "2026-12-10", repaid_on="2026-12-10", principal_paid="5000.00",
                                 outstanding_balance="495000.00", **repaid))
    [task] = await tasks_for(tasks_db, cif)
    assert task.status == "open"
    await apply_event(loan_event("loan.repaid", cif, "2026-12-15", repaid_on="2026-12-15",
                                 principal_paid="100000.00", outstanding_balance="395000.00", **repaid))
    [task] = await tasks_for(tasks_db, cif)
    assert (task.status, task.cancel_reason) == ("cancelled", "loan_repaid")
    [cancelled] = await outbox_events(tasks_db, "task.cancelled", cif)
    assert cancelled["reason"] == "loan_repaid"


@pytest.mark.skipif("industry_policy" not in CustomerRegistered.model_fields,
                    reason="customer.registered carries industry_policy once the customer service's part lands")
async def test_a_control_industry_customers_new_loan_raises_a_risk_review_copied_to_the_risk_manager(apply_event,
                                                                                                   tasks_db):
    await apply_event(staff_event("risk01", ["risk_manager"], "HQ/BR01"))
    steel, school = await owned_customer(apply_event, industry_policy="control"), await owned_customer(
        apply_event, industry_policy="grow")
    for cif, loan in ((steel, "L-STEEL"), (school, "L-SCHOOL")):
        await apply_event(loan_event("loan.disbursed", cif, "2026-11-25", loan_id=loan, product="working_capital",
                                     principal="2000000.00", currency="CNY", disbursed_on="2026-11-25",
                                     maturity_date="2027-11-25", government_related=False, classification="normal"))
    [review] = await tasks_for(tasks_db, steel, "control_industry_loan")
    assert (review.kind, review.subject, str(review.due_date), review.copied_to) == (
        "risk_review", "L-STEEL", "2026-11-30", "risk01")   # 3 business days
    assert await tasks_for(tasks_db, school, "control_industry_loan") == []

"""The indicators the default card carries (domain.md's typical defaults): recovery and interest collection
in asset quality, intermediate business income from fee.posted, on-time tasks counting a task left open
past its due date as late, and cross-selling as product categories gained over the period."""
from decimal import Decimal

from services.appraisal.rules import DEFAULT_KPIS, validate_definitions
from tests.appraisal.conftest import (
    assigned,
    closed,
    deposit,
    disbursed,
    fee,
    kpi_line,
    read_card,
    read_drilldown,
    task_done,
    task_event,
    won,
)
from tests.support import core_event, wait_for


def test_the_default_card_scores_recovery_and_interest_collection_and_still_weighs_100():
    assert validate_definitions(DEFAULT_KPIS) == []
    weights = {k["indicator"]: Decimal(k["weight"]) for k in DEFAULT_KPIS}
    assert weights["recovery_rate"] > 0 and weights["interest_collection_rate"] > 0
    # domain.md: asset quality 15 (NPL, recovery, interest collection); cross-selling and service 15
    assert weights["new_loan_npl_ratio"] + weights["recovery_rate"] + weights["interest_collection_rate"] == 15
    assert weights["cross_selling"] + weights["interactions"] + weights["on_time_task_rate"] == 15


async def test_recovery_and_interest_collection_rates_on_the_default_card(apply_event, appraisal_api, as_user):
    await apply_event(assigned("RC1", "rr1", "2026-01-01"))
    await apply_event(core_event("loan.due", "RC1", {
        "loan_id": "RL1", "customer_id": "RC1", "due_date": "2026-06-20", "principal_due": "200000.00",
        "interest_due": "4000.00", "outstanding_balance": "200000.00"}, business_date="2026-05-21"))
    await apply_event(core_event("loan.repaid", "RC1", {
        "loan_id": "RL1", "customer_id": "RC1", "repaid_on": "2026-06-20", "principal_paid": "199000.00",
        "interest_paid": "3000.00", "outstanding_balance": "1000.00"}, business_date="2026-06-20"))
    card = await read_card(appraisal_api, as_user, "rr1", "2026-06")
    recovery, interest = kpi_line(card, "recovery"), kpi_line(card, "interest_collection")
    # 199,000 ÷ 200,000 = 0.9950 (on the 99.5 % target: full 5 points); 3,000 ÷ 4,000 = 0.7500 → 5 × 0.75 = 3.75
    assert (recovery["raw_value"], recovery["score"]) == ("0.9950", "5.00")
    assert (interest["raw_value"], interest["score"]) == ("0.7500", "3.75")


async def test_a_fee_posted_moves_the_income_kpi_on_the_provisional_card(apply_event, appraisal_api, as_user):
    await apply_event(assigned("FC1", "rf1", "2026-01-01"))
    r = await appraisal_api.put("/api/v1/appraisal/targets/2026-07", headers=as_user("admin"), json={
        "indicator": "fee_income", "level": "rm", "targets": {"rf1": "10000.00"}})
    assert r.status_code == 200, r.text
    income = kpi_line(await read_card(appraisal_api, as_user, "rf1", "2026-07"), "intermediate_income")
    assert (income["raw_value"], income["score"]) == ("0.00", "0.00")
    await apply_event(fee("FC1", "F-1", "1200.00", "2026-07-03"))
    await apply_event(fee("FC1", "F-2", "800.00", "2026-07-09"))
    reversal = fee("FC1", "F-2R", "-800.00", "2026-07-10", reverses="F-2")
    await apply_event(reversal)
    await apply_event({**reversal, "id": "re-sent-with-a-new-id"})     # one reversal, however often it comes
    await apply_event(fee("FC1", "F-3", "500.00", "2026-08-01"))      # next month's
    async def moved():   # a provisional card follows its events within the stamp board's half second
        line = kpi_line(await read_card(appraisal_api, as_user, "rf1", "2026-07"), "intermediate_income")
        return line if line["raw_value"] != "0.00" else None

    income = await wait_for(moved, timeout=5, what="the fee on the provisional card")
    # 1,200.00 + 800.00 − 800.00 = 1,200.00 of a 10,000.00 target: 10 × 0.12 = 1.20
    assert (income["raw_value"], income["score"]) == ("1200.00", "1.20")
    assert kpi_line(await read_card(appraisal_api, as_user, "rf1", "2026-Q3"), "intermediate_income")["raw_value"] \
        == "1700.00"
    r = await appraisal_api.post("/api/v1/appraisal/periods/2026-07/recompute", headers=as_user("admin"))
    assert r.json()["matches_live"] is True, r.json()["differences"]


async def test_a_task_left_open_past_its_due_date_counts_as_late(apply_event, appraisal_api, as_user, business_date):
    await apply_event(task_done("C1", "rt1", "2026-09-03", True))
    await apply_event(task_event("task.created", "T-OPEN", "rt1", "2026-09-15", "2026-09-01"))
    await apply_event(task_event("task.escalated", "T-OLD", "rt1", "2026-09-08", "2026-09-09"))  # first seen escalated
    await apply_event(task_event("task.created", "T-GONE", "rt1", "2026-09-10", "2026-09-01"))
    await apply_event(task_event("task.cancelled", "T-GONE", "rt1", "2026-09-10", "2026-09-05"))
    business_date("2026-09-10")    # T-OLD is past due (8 Sep), T-OPEN not yet (15 Sep), T-GONE was cancelled
    line = kpi_line(await read_card(appraisal_api, as_user, "rt1", "2026-09"), "on_time_tasks")
    assert line["raw_value"] == "0.5000"                    # 1 on time of 1 completed + 1 open past due
    business_date("2026-09-20")    # both open ones now past due: 1 of 3
    drill = await read_drilldown(appraisal_api, as_user, "rt1", "2026-09", "on_time_tasks")
    assert drill == {"completed": 1, "on_time": 1, "overdue_open": 2}
    assert kpi_line(await read_card(appraisal_api, as_user, "rt1", "2026-09"), "on_time_tasks")["raw_value"] == "0.3333"
    r = await appraisal_api.post("/api/v1/appraisal/periods/2026-09/recompute", headers=as_user("admin"))
    assert r.json()["matches_live"] is True, r.json()["differences"]


async def test_cross_selling_counts_product_categories_gained_over_the_period(apply_event, appraisal_api, as_user):
    for event in (assigned("XC1", "rx1", "2026-01-01"), assigned("XC2", "rx1", "2026-01-01"),
                  deposit("XC1", "XD1", "demand", "5000.00", "2026-03-05"),
                  deposit("XC2", "XD2", "demand", "9000.00", "2026-03-05"),
                  deposit("XC1", "XS1", "savings", "20000.00", "2026-04-02"),    # XC1 adds savings …
                  disbursed("XC1", "XL1", "100000.00", "2026-04-10"),            # … and a loan: +2
                  closed("XC2", "XD2", "2026-04-20")):                           # XC2 holds nothing any more: −1
        await apply_event(event)
    card = await read_card(appraisal_api, as_user, "rx1", "2026-04")
    assert kpi_line(card, "cross_selling")["raw_value"] == "1"
    assert await read_drilldown(appraisal_api, as_user, "rx1", "2026-04", "cross_selling") == {"categories_gained": 1}
    # the year starts from nothing held: XC1 +3 (demand, savings, loan), XC2 +0 (it opened and closed)
    assert kpi_line(await read_card(appraisal_api, as_user, "rx1", "2026"), "cross_selling")["raw_value"] == "3"
    r = await appraisal_api.post("/api/v1/appraisal/periods/2026-04/recompute", headers=as_user("admin"))
    assert r.json()["matches_live"] is True, r.json()["differences"]


async def test_a_loan_first_seen_falling_due_counts_for_loans_daily_average_from_then(
        apply_event, appraisal_api, as_user):
    await apply_event(assigned("LC1", "rl1", "2026-01-01"))
    await apply_event(core_event("loan.overdue", "LC1", {      # an overdue notice does not tell the balance
        "loan_id": "OLD-1", "customer_id": "LC1", "as_of": "2026-05-04", "days_overdue": 3,
        "overdue_principal": "10000.00", "overdue_interest": "200.00"}, business_date="2026-05-04"))
    await apply_event(core_event("loan.due", "LC1", {
        "loan_id": "OLD-1", "customer_id": "LC1", "due_date": "2026-06-10", "principal_due": "10000.00",
        "interest_due": "900.00", "outstanding_balance": "310000.00"}, business_date="2026-05-11"))
    card = await read_card(appraisal_api, as_user, "rl1", "2026-05")
    # 310,000.00 × 21 days (11–31 May) ÷ 31 = 210,000.00
    assert kpi_line(card, "loans")["raw_value"] == "210000.00"
    r = await appraisal_api.post("/api/v1/appraisal/periods/2026-05/recompute", headers=as_user("admin"))
    assert r.json()["matches_live"] is True, r.json()["differences"]


async def test_new_customers_count_first_openings_as_well_as_customers_won(apply_event, appraisal_api, as_user):
    for event in (assigned("NC1", "rn1", "2026-01-01"), assigned("NC2", "rn1", "2026-01-01"),
                  assigned("NC3", "rn1", "2026-01-01"), assigned("NC4", "rn1", "2026-01-01"),
                  core_event("deposit.opened", "NC1", {"account_id": "NA1", "customer_id": "NC1", "product": "demand",
                                                       "currency": "CNY", "opened_on": "2026-08-03"},
                             business_date="2026-08-03"),                       # first account opened in August
                  disbursed("NC2", "NL2", "50000.00", "2026-08-12"),              # first loan in August
                  disbursed("NC3", "NL3", "50000.00", "2026-07-20"),              # July's customer …
                  disbursed("NC3", "NL4", "20000.00", "2026-08-20"),              # … whose second loan is not new
                  won("NC4", "rn1", "2026-08-05"),
                  core_event("deposit.opened", "NC4", {"account_id": "NA4", "customer_id": "NC4", "product": "demand",
                                                       "currency": "CNY", "opened_on": "2026-08-06"},
                             business_date="2026-08-06")):                      # won and opened: counted once
        await apply_event(event)
    line = kpi_line(await read_card(appraisal_api, as_user, "rn1", "2026-08"), "new_customers")
    assert line["raw_value"] == "3"
    assert await read_drilldown(appraisal_api, as_user, "rn1", "2026-08", "new_customers") == \
        {"count": 3, "customers": ["NC1", "NC2", "NC4"]}
    r = await appraisal_api.post("/api/v1/appraisal/periods/2026-08/recompute", headers=as_user("admin"))
    assert r.json()["matches_live"] is True, r.json()["differences"]


async def test_a_card_without_targets_says_so_and_has_no_grade(apply_event, appraisal_api, as_user):
    await apply_event(assigned("NT1", "rnt", "2026-01-01"))
    await apply_event(deposit("NT1", "NTD", "demand", "40000.00", "2026-10-01"))
    card = await read_card(appraisal_api, as_user, "rnt", "2026-10")
    deposits = kpi_line(card, "deposits")
    assert (deposits["raw_value"], deposits["score"], deposits["note"]) == ("40000.00", None, "目标未设定")
    assert card["grade"] is None
    r = await appraisal_api.get("/api/v1/appraisal/scorecards/rnt?period=2026-10",
                                headers=as_user("admin", **{"Accept-Language": "en"}))
    assert kpi_line(r.json(), "deposits")["note"] == "No target set"

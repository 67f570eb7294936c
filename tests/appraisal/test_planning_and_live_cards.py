"""Targets and contracts, KPI versions, qualitative plans, responsibility, rankings, and a provisional
card that moves with the book. Each test uses its own period so they share one database safely."""
import copy
from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from services.appraisal.rules import DEFAULT_KPIS
from shared.clock import business_today
from shared.outbox import OutboxMessage
from tests.appraisal.conftest import assigned, deposit, disbursed, kpi_line, read_card, staff
from tests.support import core_event, wait_for


async def test_a_new_deposit_moves_a_provisional_card_already_read(apply_event, appraisal_api, as_user):
    await apply_event(assigned("L1", "rm01", "2026-05-01"))
    await apply_event(deposit("L1", "LD1", "demand", "31000.00", "2026-05-01"))
    before = kpi_line(await read_card(appraisal_api, as_user, "rm01", "2026-05"), "deposits")["raw_value"]
    await apply_event(deposit("L1", "LD1", "demand", "62000.00", "2026-05-17"))

    async def moved():
        value = kpi_line(await read_card(appraisal_api, as_user, "rm01", "2026-05"), "deposits")["raw_value"]
        return value if value != before else None

    after = await wait_for(moved, timeout=5, what="the card to show the new balance")
    # 31,000 × 31 ÷ 31 = 31,000.00; then 31,000 × 16 (1–16) + 62,000 × 15 (17–31) = 1,426,000 ÷ 31 = 46,000.00
    assert (before, after) == ("31000.00", "46000.00")


async def test_children_targets_short_of_the_parent_are_refused(appraisal_api, as_user):
    put = lambda body: appraisal_api.put("/api/v1/appraisal/targets/2026-06", headers=as_user("admin"),  # noqa: E731
                                         json={"indicator": "deposit_daily_average", **body})
    assert (await put({"level": "team", "targets": {"T01": "1000000.00"}})).status_code == 200
    short = await put({"parent_level": "team", "parent_key": "T01", "level": "rm",
                       "targets": {"rm01": "600000.00", "rm02": "399999.99"}})
    assert short.status_code == 422 and "999999.99" in short.json()["errors"][0]["reason"]
    ok = await put({"parent_level": "team", "parent_key": "T01", "level": "rm",
                    "targets": {"rm01": "600000.00", "rm02": "450000.00"}})
    assert ok.status_code == 200, ok.text


async def test_a_signed_target_contract_freezes_the_rms_targets(appraisal_api, as_user):
    body = {"indicator": "deposit_daily_average", "parent_level": "team", "parent_key": "T01", "level": "rm",
            "targets": {"rm02": "300000.00"}}
    assert (await appraisal_api.put("/api/v1/appraisal/targets/2026-07", headers=as_user("admin"),
                                    json=body)).status_code == 200
    r = await appraisal_api.post("/api/v1/appraisal/target-contracts/2026-07/sign", headers=as_user("rm02"))
    assert r.status_code == 201 and r.json()["targets"] == {"deposit_daily_average": "300000.00"}
    again = await appraisal_api.put("/api/v1/appraisal/targets/2026-07", headers=as_user("admin"),
                                    json={**body, "targets": {"rm02": "100000.00"}})
    assert again.status_code == 409
    assert (await appraisal_api.post("/api/v1/appraisal/target-contracts/2026-07/sign",
                                     headers=as_user("rm02"))).status_code == 409


async def test_kpi_sets_whose_weights_do_not_add_up_to_100_are_refused(appraisal_api, as_user):
    kpis = copy.deepcopy(DEFAULT_KPIS)
    kpis[0]["weight"] = "35"
    r = await appraisal_api.post("/api/v1/appraisal/kpi-definitions", headers=as_user("admin"),
                                 json={"effective_from": "2026-08", "definitions": kpis})
    assert r.status_code == 422 and "105" in r.json()["detail"]
    r = await appraisal_api.post("/api/v1/appraisal/kpi-definitions", headers=as_user("lead01"),
                                 json={"effective_from": "2026-08", "definitions": DEFAULT_KPIS})
    assert r.status_code == 403


async def test_kpi_set_problems_are_listed_in_the_readers_language_with_codes_and_fields_as_sent(
        appraisal_api, as_user):
    kpis = copy.deepcopy(DEFAULT_KPIS)
    kpis[0]["weight"] = "35"
    kpis[2]["indicator"] = "profit"
    del kpis[1]["name_en"]
    body = {"effective_from": "2026-08", "definitions": kpis}
    zh = await appraisal_api.post("/api/v1/appraisal/kpi-definitions", headers=as_user("admin"), json=body)
    assert zh.status_code == 422
    assert zh.json()["detail"] == ("考核指标定义有误：loans：缺少 name_en；asset_quality：未知的指标 profit；"
                                   "权重合计为 105，应为 100")
    assert zh.json()["errors"] == [{"field": "definitions", "reason": zh.json()["detail"]}]
    en = await appraisal_api.post("/api/v1/appraisal/kpi-definitions", headers=as_user("admin", **{
        "Accept-Language": "en"}), json=body)
    assert en.status_code == 422
    assert en.json()["detail"] == ("Invalid KPI definitions: loans: missing name_en; asset_quality: unknown "
                                   "indicator profit; weights add up to 105, not 100")


async def test_a_scoring_plan_asks_the_evaluator_via_an_event_and_partial_scores_count(
        apply_event, appraisal_api, as_user, appraisal_db):
    await apply_event(staff("rm02", ["rm"], "T01"))
    await apply_event(staff("lead01", ["team_lead"], "T01"))
    r = await appraisal_api.post("/api/v1/appraisal/qualitative/plans", headers=as_user("lead01"), json={
        "period": "2026-04", "evaluator": "lead01", "subject": "rm02", "items": ["responsibility", "compliance"],
        "due_date": "2026-05-08"})
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    async with appraisal_db() as s:
        request = (await s.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "appraisal.scoring-requested"))).all()
    [event] = [m.payload for m in request if m.payload["data"]["plan_id"] == plan_id]
    assert (event["data"]["evaluator"], event["data"]["subject"], event["data"]["due_date"]) == \
        ("lead01", "rm02", "2026-05-08")
    r = await appraisal_api.put(f"/api/v1/appraisal/qualitative/plans/{plan_id}/scores", headers=as_user("lead01"),
                                json={"responsibility": "1.5"})
    assert r.status_code == 200, r.text
    assert (await appraisal_api.put(f"/api/v1/appraisal/qualitative/plans/{plan_id}/scores", headers=as_user("rm02"),
                                    json={"compliance": "2"})).status_code == 404    # not rm02's to score
    card = await read_card(appraisal_api, as_user, "rm02", "2026-04")
    assert [(q["item"], q["points"]) for q in card["qualitative"]] == [("responsibility", "1.50")]


async def test_a_plan_names_an_existing_evaluator_above_the_subject_never_the_subject(apply_event, appraisal_api,
                                                                                    as_user, appraisal_db):
    """The finding: rm01 was named their own evaluator (and scored themself 15 → 23); names outside the
    chain or unknown were accepted as well."""
    for who, roles, team, unit, path in (("rm01", ["rm"], "T01", "SB01", "HQ/BR01/SB01"),
                                         ("lead01", ["team_lead"], "T01", "SB01", "HQ/BR01/SB01"),
                                         ("lead05", ["team_lead"], "T05", "SB05", "HQ/BR05/SB05"),
                                         ("branch05", ["branch_head"], "BR05", "BR05", "HQ/BR05")):
        await apply_event(staff(who, roles, team, unit=unit, path=path))
    plan = {"period": "2026-05", "subject": "rm01", "items": ["compliance"], "due_date": "2026-06-08"}
    for evaluator in ("rm01", "lead05", "branch05", "nobody-x"):
        r = await appraisal_api.post("/api/v1/appraisal/qualitative/plans", headers=as_user("admin"),
                                     json={**plan, "evaluator": evaluator})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evaluator", (evaluator, r.text)
    async with appraisal_db() as s:
        asked = (await s.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "appraisal.scoring-requested"))).all()
    assert not [m for m in asked if m.payload["data"]["period"] == "2026-05"]
    ok = await appraisal_api.post("/api/v1/appraisal/qualitative/plans", headers=as_user("admin"),
                                  json={**plan, "evaluator": "lead01"})
    assert ok.status_code == 201, ok.text


async def test_a_month_is_closed_by_the_bank_level_and_signed_off_by_a_second_person(appraisal_api, as_user):
    """The finding: a branch head alone closed, published (with an appeal window already past) and
    signed off a month for the whole bank."""
    url = "/api/v1/appraisal/periods/2025-06"
    assert (await appraisal_api.post(f"{url}/close", headers=as_user("branch01"))).status_code == 403
    assert (await appraisal_api.get(url, headers=as_user("admin"))).status_code == 404   # still open
    assert (await appraisal_api.post(f"{url}/close", headers=as_user("admin"))).status_code == 200
    past = (business_today() - timedelta(days=1)).isoformat()
    today = business_today().isoformat()
    for until in (past, today):
        r = await appraisal_api.post(f"{url}/publish", headers=as_user("hq01"), json={"appeal_until": until})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "appeal_until"
    later = (business_today() + timedelta(days=7)).isoformat()
    assert (await appraisal_api.post(f"{url}/publish", headers=as_user("hq01"),
                                     json={"appeal_until": later})).status_code == 200
    assert (await appraisal_api.post(f"{url}/sign-off", headers=as_user("branch01"))).status_code == 403
    own = await appraisal_api.post(f"{url}/sign-off", headers=as_user("admin"))
    assert own.status_code == 403 and own.json()["code"] == "sign_off_own_close"
    assert (await appraisal_api.get(url, headers=as_user("admin"))).json()["status"] == "published"
    signed = await appraisal_api.post(f"{url}/sign-off", headers=as_user("hq01"))
    assert signed.status_code == 200 and signed.json()["signed_off_by"] == "hq01"


async def test_npl_responsibility_is_deducted_from_the_annual_score_only(apply_event, appraisal_api, as_user):
    await apply_event(staff("rm01", ["rm"], "T01"))
    r = await appraisal_api.post("/api/v1/appraisal/responsibilities", headers=as_user("branch01"), json={
        "loan_id": "L-NPL-1", "username": "rm01", "role": "originated", "loss_amount": "35000.00", "year": 2025})
    assert r.status_code == 201, r.text
    year, december, q4 = [await read_card(appraisal_api, as_user, "rm01", p) for p in ("2025", "2025-12", "2025-Q4")]
    # 35,000.00 ÷ 10,000 per point = 3.50 points off the year's total, nothing off a month's or a quarter's
    assert [c["responsibility_deduction"] for c in (year, december, q4)] == ["3.50", "0.00", "0.00"]
    assert Decimal(year["total"]) == Decimal(december["total"]) - Decimal("3.50")


async def test_a_responsibility_with_an_impossible_year_or_recorded_twice_is_refused(apply_event, appraisal_api,
                                                                                    as_user):
    await apply_event(staff("rm01", ["rm"], "T01"))
    body = {"loan_id": "L-NPL-2", "username": "rm01", "role": "monitored", "loss_amount": "100.00", "year": 2026}
    url, head = "/api/v1/appraisal/responsibilities", as_user("branch01")
    huge = await appraisal_api.post(url, headers=head, json={**body, "year": 10**12})
    assert huge.status_code == 422 and huge.json()["errors"][0]["field"] == "year"
    assert (await appraisal_api.post(url, headers=head, json=body)).status_code == 201
    twice = await appraisal_api.post(url, headers=head, json={**body, "loss_amount": "200.00"})
    assert twice.status_code == 409 and twice.json()["code"] == "responsibility_recorded"


async def test_a_new_loan_gone_bad_costs_the_asset_quality_points(apply_event, appraisal_api, as_user):
    await apply_event(assigned("Q1", "rm01", "2026-02-01"))
    await apply_event(disbursed("Q1", "LQ1", "500000.00", "2026-03-02"))
    quality = kpi_line(await read_card(appraisal_api, as_user, "rm01", "2026-03"), "asset_quality")
    assert Decimal(quality["score"]) == Decimal(quality["weight"]) > 0   # full points while the loan performs
    await apply_event(core_event("loan.classified", "Q1", {"loan_id": "LQ1", "customer_id": "Q1", "as_of": "2026-03-20",
                                                          "from_class": "normal", "to_class": "substandard"},
                                 business_date="2026-03-20"))
    async def downgraded():
        quality = kpi_line(await read_card(appraisal_api, as_user, "rm01", "2026-03"), "asset_quality")
        return quality if quality["raw_value"] != "0.0000" else None

    quality = await wait_for(downgraded, timeout=5, what="the classification on the card")
    assert (quality["raw_value"], quality["score"]) == ("1.0000", "0.00")   # 500,000 of 500,000 new loans bad


async def test_rankings_are_bank_wide_and_per_unit_after_close(apply_event, appraisal_api, as_user, business_date):
    business_date("2026-02-01")
    for who, unit in (("rb1", "SB01"), ("rb2", "SB01"), ("rb3", "SB02")):
        await apply_event(staff(who, ["rm"], "T09", unit=unit, path=f"HQ/BR01/{unit}"))
    balances = {"rb1": "10000.00", "rb2": "30000.00", "rb3": "20000.00"}
    for who, balance in balances.items():
        await apply_event(assigned(f"R-{who}", who, "2026-01-01"))
        await apply_event(deposit(f"R-{who}", f"RD-{who}", "demand", balance, "2026-01-01"))
    r = await appraisal_api.put("/api/v1/appraisal/targets/2026-01", headers=as_user("admin"), json={
        "indicator": "deposit_daily_average", "level": "rm", "targets": {w: "30000.00" for w in balances}})
    assert r.status_code == 200, r.text
    assert (await appraisal_api.post("/api/v1/appraisal/periods/2026-01/close",
                                     headers=as_user("admin"))).status_code == 200
    bank = (await appraisal_api.get("/api/v1/appraisal/rankings?period=2026-01", headers=as_user("admin"))).json()
    # deposits 30 × 30,000/30,000 = 30.00, 30 × 20,000/30,000 = 20.00, 30 × 10,000/30,000 = 10.00, plus the
    # 5.00 new-loan NPL points each (no new loans); nothing fell due, no other target: 35.00, 25.00, 15.00
    assert [(r["username"], r["total"]) for r in bank if r["username"] in balances] == \
        [("rb2", "35.00"), ("rb3", "25.00"), ("rb1", "15.00")]
    unit = (await appraisal_api.get("/api/v1/appraisal/rankings?period=2026-01&unit=SB02",
                                    headers=as_user("admin"))).json()
    assert [(r["username"], r["rank"]) for r in unit] == [("rb3", 1)]


async def test_growth_recovery_and_interest_collection_rates_from_a_kpi_version_that_uses_them(
        apply_event, appraisal_api, as_user):
    kpis = [k for k in copy.deepcopy(DEFAULT_KPIS) if k["code"] != "intermediate_income"]
    kpis[0]["weight"] = "20"
    params = kpis[0]["params"]
    kpis += [{"code": code, "name_zh": code, "name_en": code, "weight": "5", "indicator": code, "params": params,
              "scoring": {"kind": "linear", "cap": "1.0", "target": "0.995"}}
             for code in ("deposit_growth_ytd", "deposit_growth_yoy", "recovery_rate", "interest_collection_rate")]
    r = await appraisal_api.post("/api/v1/appraisal/kpi-definitions", headers=as_user("admin"),
                                 json={"effective_from": "2027-03", "definitions": kpis})
    assert r.status_code == 201, r.text
    await apply_event(assigned("G1", "rg1", "2026-03-01"))
    for balance, day in (("10000.00", "2026-03-01"), ("20000.00", "2026-12-15"), ("50000.00", "2027-03-11")):
        await apply_event(deposit("G1", "GD1", "demand", balance, day))
    due = {"loan_id": "GL1", "customer_id": "G1", "due_date": "2027-03-20", "principal_due": "100000.00",
           "interest_due": "5000.00", "outstanding_balance": "100000.00"}
    await apply_event(core_event("loan.due", "G1", due, business_date="2027-02-18"))
    await apply_event(core_event("loan.due", "G1", due, business_date="2027-02-19"))   # re-sent: same fact
    await apply_event(core_event("loan.repaid", "G1", {
        "loan_id": "GL1", "customer_id": "G1", "repaid_on": "2027-03-20", "principal_paid": "99000.00",
        "interest_paid": "4500.00", "outstanding_balance": "1000.00"}, business_date="2027-03-20"))
    card = await read_card(appraisal_api, as_user, "rg1", "2027-03")
    # March 2027: 20,000.00 × 10 (1–10) + 50,000.00 × 21 (11–31) = 1,250,000.00 ÷ 31 = 40,322.58
    # 年初 (1 Jan 2027) 20,000.00 → +20,322.58; March 2026: 10,000.00 all month → +30,322.58
    # recovery 99,000 ÷ 100,000 = 0.9900 (the re-sent due counted once); interest 4,500 ÷ 5,000 = 0.9000
    assert [kpi_line(card, c)["raw_value"] for c in ("deposits", "deposit_growth_ytd", "deposit_growth_yoy",
                                                     "recovery_rate", "interest_collection_rate")] == \
        ["40322.58", "20322.58", "30322.58", "0.9900", "0.9000"]
    r = await appraisal_api.post("/api/v1/appraisal/periods/2027-03/recompute", headers=as_user("admin"))
    assert r.json()["matches_live"] is True, r.json()["differences"]

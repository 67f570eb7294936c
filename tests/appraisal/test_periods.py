"""Periods (考核期): a month, a quarter and a year, each computed from the day-level attribution over its
whole span and each closed, published, appealed and signed off on its own, only after its last day.

Q1 2026 (90 days) by hand. Customer P1, demand (coefficient 1.0): 90,000.00 from 1 Jan, 180,000.00 from
10 Feb; owned by rq1 until rq2 takes it over on 15 Feb (the day of a transfer belongs to the new owner).
  rq1: 90,000.00 × 40 (1 Jan–9 Feb) + 180,000.00 × 5 (10–14 Feb) = 4,500,000.00 ÷ 90 = 50,000.00
  rq2: 180,000.00 × 45 (15 Feb–31 Mar) = 8,100,000.00 ÷ 90 = 90,000.00
The average of rq1's three monthly figures would be (90,000.00 + 61,071.43 + 0.00) ÷ 3 = 50,357.14: wrong.
The year 2026 (365 days): rq1 4,500,000.00 ÷ 365 = 12,328.77; rq2 180,000.00 × 320 (15 Feb–31 Dec) ÷ 365
= 157,808.22.
"""
from decimal import Decimal

import pytest

from tests.appraisal.conftest import assigned, deposit, kpi_line, read_card


@pytest.fixture(scope="module")
async def quarter(apply_event):
    for event in (assigned("P1", "rq1", "2026-01-01"), deposit("P1", "PD1", "demand", "90000.00", "2026-01-01"),
                  deposit("P1", "PD1", "demand", "180000.00", "2026-02-10"),
                  assigned("P1", "rq2", "2026-02-15", previous="rq1")):
        await apply_event(event)


async def test_a_quarters_daily_average_is_its_days_summed_over_the_whole_quarter(quarter, appraisal_api, as_user):
    figures = {(who, period): kpi_line(await read_card(appraisal_api, as_user, who, period), "deposits")["raw_value"]
               for who in ("rq1", "rq2") for period in ("2026-Q1", "2026", "2026-02")}
    assert figures == {("rq1", "2026-Q1"): "50000.00", ("rq2", "2026-Q1"): "90000.00",
                       ("rq1", "2026"): "12328.77", ("rq2", "2026"): "157808.22",
                       # February alone: 90,000.00 × 9 + 180,000.00 × 5 = 1,710,000.00 ÷ 28; 180,000.00 × 14 ÷ 28
                       ("rq1", "2026-02"): "61071.43", ("rq2", "2026-02"): "90000.00"}
    drill = (await appraisal_api.get("/api/v1/appraisal/scorecards/rq1/kpis/deposits?period=2026-Q1",
                                     headers=as_user("admin"))).json()
    assert drill["drilldown"]["customers"][0]["balance_days"] == "4500000.00"
    for period in ("2026-Q1", "2026"):
        r = await appraisal_api.post(f"/api/v1/appraisal/periods/{period}/recompute", headers=as_user("admin"))
        assert r.json()["matches_live"] is True, r.json()["differences"]


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "2026Q1", "26", "2026-1"])
async def test_a_mistyped_period_is_refused_naming_the_three_formats(appraisal_api, as_user, bad):
    for call in (appraisal_api.get(f"/api/v1/appraisal/scorecards/rm01?period={bad}", headers=as_user("admin")),
                 appraisal_api.post(f"/api/v1/appraisal/periods/{bad}/close", headers=as_user("admin"))):
        r = await call
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["field"] == "period" and all(f in error["reason"] for f in ("YYYY-MM", "YYYY-Qn", "YYYY"))


async def test_the_openapi_shows_the_period_formats_wherever_a_period_is_taken(appraisal_api):
    spec = (await appraisal_api.get("/openapi.json")).json()
    taken = [p for path, item in spec["paths"].items() for op in item.values() for p in op.get("parameters", [])
             if p["name"] == "period"]
    assert len(taken) >= 10   # scorecards, drill-down, rankings, targets, contract, close, publish, … recompute
    for parameter in taken:
        schema = parameter["schema"]
        assert "YYYY-Qn" in parameter["description"]
        assert schema.get("pattern") or any(s.get("pattern") for s in schema.get("anyOf", []) + [schema])


async def test_each_kind_of_period_closes_publishes_and_signs_off_on_its_own_after_its_last_day(
        quarter, appraisal_api, as_user, business_date):
    def call(step: str, period: str, **body):   # the bank level closes; a second person signs off
        who = "hq01" if step == "sign-off" else "admin"
        return appraisal_api.post(f"/api/v1/appraisal/periods/{period}/{step}", headers=as_user(who),
                                  json=body or None)

    business_date("2026-03-31")            # the quarter's and March's last day: neither may close yet
    for period in ("2026-03", "2026-Q1"):
        r = await call("close", period)
        assert (r.status_code, r.json()["code"]) == (409, "period_not_over"), r.text
        assert "2026-03-31" in r.json()["detail"]
    business_date("2026-04-01")
    assert (await call("close", "2026-Q1")).json()["status"] == "closed"
    assert (await call("close", "2026")).json()["code"] == "period_not_over"   # the year runs on
    r = await call("publish", "2026-Q1", appeal_until="2026-03-31")             # a window already shut
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "appeal_until")
    assert (await call("publish", "2026-Q1", appeal_until="2026-04-10")).json()["status"] == "published"
    before = await read_card(appraisal_api, as_user, "rq1", "2026-Q1")
    appeal = await call("adjustments", "2026-Q1", username="rq1", points="1.50", reason="申诉成立：一季度存款漏记")
    assert appeal.status_code == 200, appeal.text
    assert appeal.json()["total"] == str(Decimal(before["total"]) + Decimal("1.50"))
    assert (await call("adjustments", "2026-03", username="rq2", points="1.00", reason="三月未关账")).status_code == 409
    # March is still open: the quarter's close, publication and sign-off did not touch it
    assert (await appraisal_api.get("/api/v1/appraisal/periods/2026-03", headers=as_user("admin"))).status_code == 404
    assert (await read_card(appraisal_api, as_user, "rq1", "2026-03"))["status"] == "provisional"
    assert (await call("close", "2026-03")).json()["status"] == "closed"
    assert (await call("sign-off", "2026-Q1")).json()["status"] == "signed_off"
    states = [(await appraisal_api.get(f"/api/v1/appraisal/periods/{p}", headers=as_user("admin"))).json()["status"]
              for p in ("2026-03", "2026-Q1")]
    assert states == ["closed", "signed_off"]
    card = await read_card(appraisal_api, as_user, "rq1", "2026-Q1")
    assert (card["status"], kpi_line(card, "deposits")["raw_value"]) == ("signed_off", "50000.00")
    assert card["total"] == appeal.json()["total"] and card["adjustments"]   # the quarter kept its appeal …
    march = await read_card(appraisal_api, as_user, "rq2", "2026-03")
    assert march["status"] == "closed" and not march.get("adjustments")  # … and March took none of it

"""October 2026, worked out by hand: 3 RMs, 10 customers, one month of deposit events with a
mid-month transfer, the National Day holiday (1–7 Oct: no postings, balances carry over), a margin
deposit, a B岗 manager sharing a customer (分润 A 0.7 / B 0.3), two postings on one day, and facts
arriving out of order (the transfer before the first assignment, a later balance before an earlier one).

Coefficients: savings 1.1, demand 1.0, margin 0.3, time 1.2, wealth 0.5. October has 31 days.
Balance-days (Σ balance × days owned), then × coefficient × share, ÷ 31, rounded once to the cent:

rm01 (A of C1–C4; C4 leaves for rm02 on 16 Oct — the day of a transfer belongs to the new owner)
  C1 savings  100,000.00 × 19 (1–19) + 131,000.00 × 12 (20–31) = 3,472,000.00
              × 1.1 = 3,819,200.00; rm03 is B岗 all month → rm01 × 0.7 = 2,673,440.00, rm03 × 0.3 = 1,145,760.00
  C2 demand    50,000.00 × 7 (1–7, the holiday) + 80,000.10 × 24 (8–31) = 350,000.00 + 1,920,002.40
              = 2,270,002.40 × 1.0
  C3 margin   200,000.00 × 22 (10–31) = 4,400,000.00 × 0.3 = 1,320,000.00
  C4 time     300,000.00 × 15 (1–15) = 4,500,000.00 × 1.2 = 5,400,000.00
  Σ 2,673,440.00 + 2,270,002.40 + 1,320,000.00 + 5,400,000.00 = 11,663,442.40 ÷ 31 = 376,240.0774… → 376,240.08
rm02 (A of C5–C7, and C4 from 16 Oct)
  C5 demand    10,000.00 × 30 (1–30; closed on 31 Oct → 0) = 300,000.00
  C6 savings   40,000.50 × 11 (1–11) + 41,000.00 × 20 (12–31; 45,000.00 earlier that day is superseded)
              = 440,005.50 + 820,000.00 = 1,260,005.50 × 1.1 = 1,386,006.05
  C7 demand    60,000.00 × 31 = 1,860,000.00
  C4 time     300,000.00 × 16 (16–31) = 4,800,000.00 × 1.2 = 5,760,000.00
  Σ 9,306,006.05 ÷ 31 = 300,193.7435… → 300,193.74
rm03 (A of C8–C10, B of C1)
  C8 demand 20,000.00 × 31 = 620,000.00;  C9 wealth 100,000.00 × 31 × 0.5 = 1,550,000.00
  C10 demand 5,000.00 × 8 (1–8) + 7,500.00 × 23 (9–31) = 212,500.00;  C1 share 1,145,760.00
  Σ 3,528,260.00 ÷ 31 = 113,814.8387… → 113,814.84

Loans (rm01, C2): 1,000,000.00 × 10 (11–20) + 600,000.00 × 11 (21–31) = 16,600,000.00 ÷ 31 = 535,483.87

Scores (points out of the weight; linear capped at 1.2 for deposits/loans, 1.0 otherwise):
  rm01: deposits 30 × 376,240.08/400,000 = 28.218006 → 28.22; loans 20 × 535,483.87/500,000 = 21.419355 → 21.42;
        asset quality 15 (no NPL); new customers 10 × 2/2 = 10.00 (C3 won on 10 Oct; C2's first opening known,
        its loan L1, on 11 Oct: its deposit is known only from balance changes); visits 5 × 3/4 = 3.75;
        on-time tasks 10 × 3/4 = 7.50 (0.75 ≥ floor 0.6); fee income: none posted, no target set, unscored
        total 28.22 + 21.42 + 15 + 10.00 + 3.75 + 7.50 = 85.89 → 良好
  rm02: deposits 300,193.74/250,000 = 1.2008 → capped 1.2 → 36.00; asset quality 15; new customers 0/2 → 0.00;
        on-time 1/2 = 0.5 < floor 0.6 → 0.00; total 51.00 → 不合格
  rm03: deposits 30 × 113,814.84/200,000 = 17.072226 → 17.07; asset quality 15; total 32.07 → 不合格
"""
import asyncio
import copy
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from services.appraisal.handlers import HANDLERS
from services.appraisal.models import AuditEntry, KpiVersion
from services.appraisal.rules import DEFAULT_KPIS
from services.appraisal.service.cards import scorecards
from shared.clock import business_today
from shared.db import make_engine, make_session_factory
from shared.migrations import upgrade_to_head
from shared.outbox import OutboxMessage
from tests.appraisal.conftest import (
    assigned,
    closed,
    deposit,
    disbursed,
    interaction,
    kpi_line,
    read_card,
    read_drilldown,
    repaid,
    staff,
    task_done,
    won,
)
from tests.support import event_applier
from tools.devstack import ROOT

PERIOD = "2026-10"


def october_events() -> list[dict]:
    events = [staff("rm01", ["rm"], "T01"), staff("rm02", ["rm"], "T01"), staff("rm03", ["rm"], "T02"),
              staff("lead01", ["team_lead"], "T01")]
    owners = {"C1": "rm01", "C2": "rm01", "C3": "rm01", "C4": "rm01", "C5": "rm02", "C6": "rm02", "C7": "rm02",
              "C8": "rm03", "C9": "rm03", "C10": "rm03"}
    events += [assigned("C4", "rm02", "2026-10-16", previous="rm01")]   # the transfer arrives first
    events += [assigned(cif, rm, "2026-09-01") for cif, rm in owners.items()]
    events += [assigned("C1", "rm03", "2026-09-01", role="B")]
    events += [
        deposit("C1", "S1", "savings", "100000.00", "2026-09-30"), deposit("C1", "S1", "savings", "131000.00", "2026-10-20"),
        deposit("C2", "D2", "demand", "50000.00", "2026-09-30"), deposit("C2", "D2", "demand", "80000.10", "2026-10-08"),
        deposit("C3", "M3", "margin", "200000.00", "2026-10-10"),
        deposit("C4", "T4", "time", "300000.00", "2026-09-30"),
        deposit("C5", "D5", "demand", "10000.00", "2026-09-30"), closed("C5", "D5", "2026-10-31"),
        deposit("C6", "S6", "savings", "40000.50", "2026-09-30"),
        deposit("C6", "S6", "savings", "41000.00", "2026-10-12", at="15:00:00"),
        deposit("C6", "S6", "savings", "45000.00", "2026-10-12", at="09:00:00"),   # arrives late, happened earlier
        deposit("C7", "D7", "demand", "60000.00", "2026-09-30"),
        deposit("C8", "D8", "demand", "20000.00", "2026-09-30"),
        deposit("C9", "W9", "wealth", "100000.00", "2026-09-30"),
        deposit("C10", "D10", "demand", "7500.00", "2026-10-09"), deposit("C10", "D10", "demand", "5000.00", "2026-09-30"),
        disbursed("C2", "L1", "1000000.00", "2026-10-11"), repaid("C2", "L1", "400000.00", "600000.00", "2026-10-21"),
        won("C3", "rm01", "2026-10-10"),
        interaction("C1", "rm01", "2026-09-29"),   # September: not this period's
        interaction("C1", "rm01", "2026-10-09"), interaction("C2", "rm01", "2026-10-12"),
        interaction("C3", "rm01", "2026-10-13"),
        task_done("C1", "rm01", "2026-10-09", True), task_done("C2", "rm01", "2026-10-14", True),
        task_done("C3", "rm01", "2026-10-15", True), task_done("C4", "rm01", "2026-10-15", False),
        task_done("C5", "rm02", "2026-10-15", True), task_done("C6", "rm02", "2026-10-16", False),
    ]
    return events


# The KPI set October was appraised with (the defaults' definitions, weighted as the bank had them then).
OCTOBER_WEIGHTS = {"deposits": "30", "loans": "20", "asset_quality": "15", "new_customers": "10",
                   "intermediate_income": "10", "visits": "5", "on_time_tasks": "10"}


def october_kpis() -> list[dict]:
    kpis = [{**k, "weight": OCTOBER_WEIGHTS[k["code"]]} for k in copy.deepcopy(DEFAULT_KPIS) if k["code"] in
            OCTOBER_WEIGHTS]
    kpis[0]["params"]["split"] = {"A": "0.7", "B": "0.3"}
    return kpis


@pytest.fixture(scope="module")
async def october(apply_event, appraisal_api, as_user):
    events = october_events()
    for event in events:
        await apply_event(event)
    kpis = october_kpis()
    r = await appraisal_api.post("/api/v1/appraisal/kpi-definitions", headers=as_user("admin"),
                                 json={"effective_from": PERIOD, "definitions": kpis})
    assert r.status_code == 201, r.text
    for indicator, targets in {"deposit_daily_average": {"rm01": "400000", "rm02": "250000", "rm03": "200000"},
                               "loan_daily_average": {"rm01": "500000"},
                               "customers_won": {"rm01": "2", "rm02": "2"}, "interactions": {"rm01": "4"}}.items():
        r = await appraisal_api.put(f"/api/v1/appraisal/targets/{PERIOD}", headers=as_user("admin"),
                                    json={"indicator": indicator, "level": "rm", "targets": targets})
        assert r.status_code == 200, r.text
    return events


async def card(api, as_user, reader: str, username: str) -> dict:
    return await read_card(api, as_user, username, PERIOD, reader)


async def test_daily_averages_attribution_and_totals_match_the_hand_computation(october, appraisal_api, as_user):
    rm01, rm02 = await card(appraisal_api, as_user, "rm01", "rm01"), await card(appraisal_api, as_user, "lead01", "rm02")
    rm03 = await card(appraisal_api, as_user, "admin", "rm03")
    assert [kpi_line(c, "deposits")["raw_value"] for c in (rm01, rm02, rm03)] == ["376240.08", "300193.74", "113814.84"]
    assert [kpi_line(c, "deposits")["score"] for c in (rm01, rm02, rm03)] == ["28.22", "36.00", "17.07"]
    assert [c["total"] for c in (rm01, rm02, rm03)] == ["85.89", "51.00", "32.07"]
    assert [c["grade"] for c in (rm01, rm02, rm03)] == ["良好", "不合格", "不合格"]
    assert (kpi_line(rm01, "loans")["raw_value"], kpi_line(rm01, "loans")["score"]) == ("535483.87", "21.42")
    assert [kpi_line(rm01, c)["score"] for c in ("asset_quality", "new_customers", "visits", "on_time_tasks")] == \
        ["15.00", "10.00", "3.75", "7.50"]
    income = kpi_line(rm01, "intermediate_income")   # no fee posted, no target: unscored, and it says why
    assert (income["raw_value"], income["score"], income["note"]) == ("0.00", None, "目标未设定")
    # the transfer splits C4 exactly by days: 15 to rm01, 16 to rm02, at 300,000.00
    detail = {who: {x["cif"]: x for x in (await read_drilldown(appraisal_api, as_user, who, PERIOD, "deposits"))[
        "customers"]} for who in ("rm01", "rm02", "rm03")}
    assert (detail["rm01"]["C4"]["balance_days"], detail["rm02"]["C4"]["balance_days"]) == ("4500000.00", "4800000.00")
    c1 = detail["rm03"]["C1"]["daily_average"]
    assert c1 == str((Decimal("1145760.00") / 31).quantize(Decimal("0.01")))   # rm03's 30 % of C1, as B岗


async def test_scorecards_follow_scope_and_speak_english_on_request(october, appraisal_api, as_user):
    assert (await appraisal_api.get(f"/api/v1/appraisal/scorecards/rm03?period={PERIOD}",
                                    headers=as_user("lead01"))).status_code == 404    # another team's RM
    assert (await appraisal_api.get(f"/api/v1/appraisal/scorecards/rm01?period={PERIOD}",
                                    headers=as_user("rm02"))).status_code == 404
    r = await appraisal_api.get(f"/api/v1/appraisal/scorecards/rm01?period={PERIOD}",
                                headers=as_user("rm01", **{"Accept-Language": "en"}))
    deposits = kpi_line(r.json(), "deposits")
    assert deposits["name"] == "Deposits, daily average" and "drilldown" not in deposits   # the card stays light
    r = await appraisal_api.get(deposits["drilldown_path"],
                                headers=as_user("rm01"))
    assert r.json()["raw_value"] == "376240.08" and len(r.json()["drilldown"]["customers"]) == 4


async def test_recompute_from_the_ledger_equals_the_live_scorecards(october, appraisal_api, as_user):
    r = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/recompute", headers=as_user("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["matches_live"] is True and body["differences"] == []
    assert {c["username"]: c["total"] for c in body["scorecards"]} == {"rm01": "85.89", "rm02": "51.00",
                                                                        "rm03": "32.07"}
    # a lead's recompute covers team T01 only, yet rm01 still gives up rm03's 30 % of C1
    r = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/recompute", headers=as_user("lead01"))
    assert r.json()["matches_live"] is True
    assert {c["username"]: c["total"] for c in r.json()["scorecards"]} == {"rm01": "85.89", "rm02": "51.00"}


async def test_recompute_matches_when_only_the_order_of_a_cards_lists_differs(october, appraisal_api, as_user,
                                                                              monkeypatch):
    """The finding: matches_live false although the ledger's card held the same lines in another order."""
    from services.appraisal.service import recompute as module

    def reordered(value):
        if isinstance(value, dict):
            return {k: reordered(v) for k, v in value.items()}
        return [reordered(v) for v in reversed(value)] if isinstance(value, list) else value

    async def ledger_in_another_order(session, period, only=None, source="live", as_of=None):
        cards = await scorecards(session, period, only, source=source, as_of=as_of)
        return reordered(cards) if source == "ledger" else cards

    monkeypatch.setattr(module, "scorecards", ledger_in_another_order)
    url = f"/api/v1/appraisal/periods/{PERIOD}/recompute"
    body = (await appraisal_api.post(url, headers=as_user("admin"))).json()
    assert any(len(c["kpis"]) > 1 for c in body["scorecards"])   # there is an order to differ
    assert body["matches_live"] is True and body["differences"] == []

    async def ledger_one_point_off(session, period, only=None, source="live", as_of=None):
        cards = await ledger_in_another_order(session, period, only, source, as_of)
        return {**cards, "rm02": {**cards["rm02"], "total": "50.00"}} if source == "ledger" else cards

    monkeypatch.setattr(module, "scorecards", ledger_one_point_off)
    body = (await appraisal_api.post(url, headers=as_user("admin"))).json()
    assert body["matches_live"] is False and body["differences"] == [
        {"username": "rm02", "live": "51.00", "recomputed": "50.00"}]


async def test_replaying_the_same_events_twice_changes_nothing(october, apply_event, appraisal_api, as_user):
    before = [await card(appraisal_api, as_user, "admin", u) for u in ("rm01", "rm02", "rm03")]
    for event in october:
        await apply_event(event)                      # re-delivered: the ledger's key drops it
    for event in october:
        await apply_event(event, consumer="rebuild")  # another group: the ledger stops it as well
    assert [await card(appraisal_api, as_user, "admin", u) for u in ("rm01", "rm02", "rm03")] == before


async def test_adjustment_by_the_rm_concerned_is_refused_and_by_the_lead_applied_and_audited(
        october, appraisal_api, as_user, appraisal_db, business_date):
    business_date("2026-11-02")
    r = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/close", headers=as_user("admin"))
    assert r.status_code == 200, r.text
    closed_card = await card(appraisal_api, as_user, "rm01", "rm01")
    assert (closed_card["status"], closed_card["total"], closed_card["rank_bank"]) == ("closed", "85.89", 1)
    # a monthly close proposes nobody for 末尾淘汰: that is the annual close's alone
    assert [(await card(appraisal_api, as_user, "admin", u))["flagged"] for u in ("rm01", "rm02", "rm03")] == \
        [False, False, False]
    appeal_until = (business_today() + timedelta(days=10)).isoformat()
    r = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/publish", headers=as_user("admin"),
                                 json={"appeal_until": appeal_until})
    assert r.status_code == 200, r.text
    own = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/adjustments", headers=as_user("rm01"),
                                   json={"username": "rm01", "points": "5.00", "reason": "我觉得我应该更高"})
    assert own.status_code == 403 and own.json()["code"] == "adjust_own_score"
    r = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/adjustments", headers=as_user("lead01"),
                                 json={"username": "rm01", "points": "2.00", "reason": "申诉成立：存款入账日期有误"})
    assert r.status_code == 200, r.text
    assert (r.json()["total"], r.json()["grade"]) == ("87.89", "良好")
    assert (await card(appraisal_api, as_user, "rm01", "rm01"))["total"] == "87.89"
    async with appraisal_db() as s:
        [entry] = (await s.exec(select(AuditEntry).where(AuditEntry.action == "score.adjusted"))).all()
        closed_event = (await s.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "appraisal.period-closed"))).one()
    assert (entry.actor, entry.subject, entry.detail["total_before"], entry.detail["total_after"]) == \
        ("lead01", "rm01", "85.89", "87.89")
    assert closed_event.payload["data"]["flagged"] == []
    r = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/sign-off", headers=as_user("hq01"))
    assert r.status_code == 200 and r.json()["status"] == "signed_off"
    state = (await appraisal_api.get(f"/api/v1/appraisal/periods/{PERIOD}", headers=as_user("rm01"))).json()
    assert (state["status"], state["appeal_until"], state["signed_off_by"]) == ("signed_off", appeal_until, "hq01")
    late = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/adjustments", headers=as_user("lead01"),
                                    json={"username": "rm01", "points": "1.00", "reason": "签署后再调"})
    assert late.status_code == 409
    for step in ("publish", "sign-off"):   # a second time, in the wrong state: a 409 naming it, not a 500
        again = await appraisal_api.post(f"/api/v1/appraisal/periods/{PERIOD}/{step}", headers=as_user("admin"),
                                         json={"appeal_until": appeal_until})
        assert again.status_code == 409 and again.json()["code"] == "period_not_in_status", again.text
        assert PERIOD in again.json()["detail"]


async def test_the_embedded_sqlite_path_gives_the_same_figures(tmp_path):
    """SQLite sums the intervals in Python (it keeps NUMERIC as floating point); the figures must not move."""
    url = f"sqlite+aiosqlite:///{tmp_path}/appraisal.db"
    await asyncio.to_thread(upgrade_to_head, str(ROOT / "services" / "appraisal" / "alembic"), url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    apply = event_applier("appraisal", HANDLERS, sessions)
    for event in october_events():
        await apply(event)
    async with sessions() as s:
        s.add(KpiVersion(version=1, effective_from=PERIOD, definitions=october_kpis(), created_by="admin"))
        await s.commit()
        one_by_one = [(await scorecards(s, PERIOD, [who]))[who] for who in ("rm01", "rm02", "rm03")]
        replayed = await scorecards(s, PERIOD, source="ledger")
    await engine.dispose()
    assert [kpi_line(c, "deposits")["raw_value"] for c in one_by_one] == ["376240.08", "300193.74", "113814.84"]
    assert {c["username"]: c for c in one_by_one} == replayed


async def test_the_drilldown_shows_weighted_figures_that_add_up_to_the_kpi(october, appraisal_api, as_user):
    for who in ("rm01", "rm02", "rm03"):
        r = await appraisal_api.get(f"/api/v1/appraisal/scorecards/{who}/kpis/deposits?period={PERIOD}",
                                    headers=as_user("admin"))
        kpi, drill = r.json()["raw_value"], r.json()["drilldown"]
        lines = [line for c in drill["customers"] for line in c["lines"]]
        for line in lines:   # weighted = balance-days × product coefficient × 分润 share
            assert Decimal(line["weighted_balance_days"]) == \
                Decimal(line["balance_days"]) * Decimal(line["coefficient"]) * Decimal(line["share"])
        total = sum((Decimal(c["weighted_balance_days"]) for c in drill["customers"]), Decimal(0))
        assert drill["days"] == 31 and (total / 31).quantize(Decimal("0.01")) == Decimal(kpi), who
    c1 = {c["cif"]: c for c in (await read_drilldown(appraisal_api, as_user, "rm01", PERIOD, "deposits"))["customers"]}
    # C1: 3,472,000.00 savings balance-days × 1.1 × rm01's A share 0.7 (rm03 is B岗 all month)
    assert [(x["product"], x["role"], x["coefficient"], x["share"]) for x in c1["C1"]["lines"]] == \
        [("savings", "A+B", "1.1", "0.7")]
    assert Decimal(c1["C1"]["weighted_balance_days"]) == Decimal("2673440.00")

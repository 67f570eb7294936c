"""末尾淘汰 as the bank practises it: proposed at the annual close only, 3 % of each unit large enough for the
share to mean something, and a proposal the lead or branch head confirms or clears with a reason.

Unit SB77 has 100 RMs; RM i holds a demand deposit of 10,000.00 + i × 1,000.00 all year against a yearly
(and December) target of 100,000.00, so the totals are all different and rb077-000, -001, -002 are lowest.
Unit SB78 has 3 RMs with smaller books still: below the minimum headcount (20), it gets no proposal.
"""
import pytest
from sqlmodel import select

from shared.outbox import OutboxMessage
from tests.appraisal.conftest import assigned, deposit, read_card, staff

BIG = [f"rb077-{i:03d}" for i in range(100)]
SMALL = [f"rb078-{i:03d}" for i in range(3)]


@pytest.fixture(scope="module")
async def units(apply_event, appraisal_api, as_user):
    for people, unit, base in ((BIG, "SB77", 10_000), (SMALL, "SB78", 1_000)):
        for i, who in enumerate(people):
            await apply_event(staff(who, ["rm"], f"T{unit}", unit=unit, path=f"HQ/BR01/{unit}"))
            await apply_event(assigned(f"C-{who}", who, "2026-01-01"))
            await apply_event(deposit(f"C-{who}", f"D-{who}", "demand", f"{base + i * 1000}.00", "2026-01-01"))
    for period in ("2026", "2026-12"):
        r = await appraisal_api.put(f"/api/v1/appraisal/targets/{period}", headers=as_user("admin"), json={
            "indicator": "deposit_daily_average", "level": "rm", "targets": dict.fromkeys(BIG + SMALL, "100000.00")})
        assert r.status_code == 200, r.text


async def test_the_annual_close_proposes_three_percent_of_a_large_unit_and_the_monthly_close_nobody(
        units, appraisal_api, as_user, business_date, appraisal_db):
    business_date("2026-12-31")      # the year's last day: still provisional, and a provisional card flags nobody
    assert [(await read_card(appraisal_api, as_user, who, "2026"))["flagged"] for who in BIG[:3]] == [False] * 3
    provisional = await appraisal_api.get("/api/v1/appraisal/rankings?period=2026&unit=SB77", headers=as_user("admin"))
    assert provisional.status_code == 200 and not any(r["flagged"] for r in provisional.json())
    business_date("2027-01-04")
    for period in ("2026-12", "2026"):
        r = await appraisal_api.post(f"/api/v1/appraisal/periods/{period}/close", headers=as_user("admin"))
        assert r.status_code == 200, r.text
    for period, proposed in (("2026-12", []), ("2026", BIG[:3])):
        ranked = (await appraisal_api.get(f"/api/v1/appraisal/rankings?period={period}", headers=as_user("admin")))
        assert sorted(r["username"] for r in ranked.json() if r["flagged"]) == proposed, period
    async with appraisal_db() as s:
        closed = {m.payload["data"]["period"]: m.payload["data"]["flagged"] for m in (await s.exec(
            select(OutboxMessage).where(OutboxMessage.event_type == "appraisal.period-closed"))).all()}
    assert (closed["2026-12"], closed["2026"]) == ([], BIG[:3])
    assert [(await read_card(appraisal_api, as_user, who, "2026"))["flagged"] for who in SMALL] == [False] * 3


async def test_a_proposal_is_confirmed_or_cleared_by_the_branch_head_with_a_reason_never_by_others(
        units, appraisal_api, as_user):
    def decide(who: str, by: str, decision: str, reason: str = "连续两年考核靠后，辅导后无改进"):
        return appraisal_api.post(f"/api/v1/appraisal/periods/2026/bottom-flags/{who}", headers=as_user(by),
                                  json={"decision": decision, "reason": reason})

    assert (await decide(BIG[0], "rm01", "clear")).status_code == 403          # not a lead nor a branch head
    assert (await decide(BIG[0], "risk01", "confirm")).status_code == 403
    assert (await decide(BIG[0], "branch01", "confirm", reason="")).status_code == 422   # a reason is required
    assert (await decide(BIG[5], "branch01", "confirm")).json()["code"] == "no_bottom_flag_proposed"
    confirmed = await decide(BIG[0], "branch01", "confirm")
    cleared = await decide(BIG[1], "branch01", "clear", reason="下半年已明显改进")
    assert (confirmed.json()["status"], confirmed.json()["flagged"]) == ("confirmed", True), confirmed.text
    assert (cleared.json()["status"], cleared.json()["flagged"], cleared.json()["reason"]) == \
        ("cleared", False, "下半年已明显改进")
    assert (await decide(BIG[1], "branch01", "confirm")).status_code == 409    # decided once
    cards = [await read_card(appraisal_api, as_user, who, "2026") for who in BIG[:3]]
    assert [c["flagged"] for c in cards] == [True, False, True]               # the third still awaits a decision
    trail = (await appraisal_api.get(f"/api/v1/appraisal/audit?subject={BIG[1]}", headers=as_user("admin"))).json()
    assert [(e["action"], e["actor"], e["detail"]["reason"]) for e in trail] == \
        [("bottom_flag.cleared", "branch01", "下半年已明显改进")]

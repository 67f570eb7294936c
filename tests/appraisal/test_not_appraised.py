"""Staff the bank does not appraise (by default those who only lead a team, manage risk or audit) have no
scorecard: their own card reads not_appraised, a close freezes none for them, and the home screen shows
no card — while an RM keeps theirs."""
from services.appraisal.rules import appraised
from services.gateway.home import _scorecard
from tests.appraisal.conftest import assigned, interaction, read_card, staff


def test_who_is_appraised_by_default():
    assert [appraised(r) for r in (["rm"], ["team_lead"], ["risk_manager"], ["auditor"], ["team_lead", "rm"])] == \
        [True, False, False, False, True]
    assert appraised(["team_lead"], not_appraised=("auditor",))      # a bank that appraises its leads says so


async def test_a_lead_a_risk_manager_and_an_auditor_get_no_card_an_rm_does(
        apply_event, appraisal_api, as_user, business_date):
    for event in (staff("lead01", ["team_lead"], "T01"), staff("rm01", ["rm"], "T01"),
                  staff("risk01", ["risk_manager"], None, unit="BR01", path="HQ/BR01"),
                  assigned("NA1", "rm01", "2026-03-01"),
                  interaction("NA1", "risk01", "2026-03-05"), interaction("NA1", "lead01", "2026-03-06")):
        await apply_event(event)
    for who in ("lead01", "risk01", "audit01"):   # audit01 is unknown to the staff projection: its token says
        card = await read_card(appraisal_api, as_user, who, "2026-03", reader=who)
        assert (card["status"], card["kpis"], card["total"], card["grade"]) == ("not_appraised", [], None, None), who
    assert (await read_card(appraisal_api, as_user, "rm01", "2026-03", reader="rm01"))["status"] == "provisional"
    business_date("2026-04-01")
    r = await appraisal_api.post("/api/v1/appraisal/periods/2026-03/close", headers=as_user("admin"))
    assert r.status_code == 200, r.text
    ranked = (await appraisal_api.get("/api/v1/appraisal/rankings?period=2026-03", headers=as_user("admin"))).json()
    assert {r["username"] for r in ranked} == {"rm01"}   # the visits logged by risk01 and lead01 made them no card
    home = _scorecard(await read_card(appraisal_api, as_user, "lead01", "2026-03", reader="lead01"), None)
    assert (home.status, home.total, home.kpi_count) == ("not_appraised", None, 0)
    home = _scorecard(await read_card(appraisal_api, as_user, "rm01", "2026-03", reader="rm01"), None)
    assert (home.status, home.kpi_count > 0) == ("ok", True)

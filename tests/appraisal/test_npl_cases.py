"""责任认定 on a new NPL: whenever the loan was disbursed, its move into substandard or worse opens a proposed
case naming the RM who originated it and the nearest risk manager (连带问责); only the branch head — never
one of those named — confirms (the loss then comes off the annual score) or rejects it, with a reason."""
from services.appraisal.rules import nearest_risk_manager
from tests.appraisal.conftest import assigned, disbursed, read_card, staff
from tests.support import core_event


def classified(cif: str, loan: str, from_class: str, to_class: str, on: str) -> dict:
    return core_event("loan.classified", cif, {"loan_id": loan, "customer_id": cif, "as_of": on,
                                               "from_class": from_class, "to_class": to_class}, business_date=on)


def test_the_nearest_risk_manager_is_the_one_closest_above_the_rm():
    risk = {"hq": "HQ", "branch": "HQ/BR01", "other": "HQ/BR02", "sub": "HQ/BR01/SB0"}
    assert nearest_risk_manager("HQ/BR01/SB01", risk) == "branch"      # SB0 is not an ancestor of SB01
    assert nearest_risk_manager("HQ/BR02/SB09", risk) == "other"
    assert nearest_risk_manager("HQ/BR03", risk) == "hq" and nearest_risk_manager(None, risk) is None


async def test_a_new_npl_on_a_loan_from_a_past_year_opens_a_case_neither_named_person_can_confirm(
        apply_event, appraisal_api, as_user):
    for event in (staff("rm01", ["rm"], "T01"), staff("rm02", ["rm"], "T01"),
                  staff("risk01", ["risk_manager"], None, unit="BR01", path="HQ/BR01"),
                  staff("riskhq", ["risk_manager"], None, unit="HQ", path="HQ"),
                  assigned("N1", "rm01", "2024-01-10"), disbursed("N1", "NL1", "300000.00", "2024-03-01"),
                  assigned("N1", "rm02", "2025-02-01", previous="rm01"),          # the loan changed hands since
                  classified("N1", "NL1", "special_mention", "substandard", "2026-06-10"),
                  classified("N1", "NL1", "substandard", "doubtful", "2026-09-10")):   # the same NPL, no new case
        await apply_event(event)
    cases = (await appraisal_api.get("/api/v1/appraisal/responsibility-cases", headers=as_user("branch01"))).json()
    assert [(c["loan_id"], c["status"], c["originator"], c["risk_manager"], c["to_class"]) for c in cases] == \
        [("NL1", "proposed", "rm01", "risk01", "substandard")]

    def decide(by: str, **body):
        return appraisal_api.post("/api/v1/appraisal/responsibility-cases/NL1/decision", headers=as_user(by),
                                  json={"reason": "贷前调查不实，贷后检查流于形式", **body})

    for named in ("rm01", "risk01"):
        r = await decide(named, decision="reject")
        assert (r.status_code, r.json()["code"]) == (403, "decide_own_case"), r.text
    assert (await decide("lead01", decision="confirm", loss_amount="50000.00")).status_code == 403
    assert (await decide("branch01", decision="confirm")).json()["code"] == "loss_required"
    r = await decide("branch01", decision="confirm", loss_amount="50000.00")
    assert (r.status_code, r.json()["status"], r.json()["decided_by"]) == (200, "confirmed", "branch01"), r.text
    assert (await decide("branch01", decision="reject")).status_code == 409
    # 50,000.00 ÷ 10,000.00 per point = 5.00 off the originator's 2026 annual score, not off a month's
    year, june = [await read_card(appraisal_api, as_user, "rm01", p) for p in ("2026", "2026-06")]
    assert (year["responsibility_deduction"], june["responsibility_deduction"]) == ("5.00", "0.00")
    assert (await read_card(appraisal_api, as_user, "rm02", "2026"))["responsibility_deduction"] == "0.00"


async def test_a_loan_never_seen_disbursed_names_the_customers_first_known_owner(apply_event, appraisal_api, as_user):
    for event in (assigned("N2", "rm02", "2025-05-01"), assigned("N2", "rm01", "2026-01-05", previous="rm02"),
                  classified("N2", "NL2", "normal", "loss", "2026-07-01"),
                  classified("N2", "NL3", "normal", "special_mention", "2026-07-01")):   # not an NPL: no case
        await apply_event(event)
    cases = (await appraisal_api.get("/api/v1/appraisal/responsibility-cases", headers=as_user("rm02"))).json()
    assert [(c["loan_id"], c["originator"]) for c in cases] == [("NL2", "rm02")]   # rm02 sees the case naming them
    r = await appraisal_api.post("/api/v1/appraisal/responsibility-cases/NL2/decision", headers=as_user("branch01"),
                                 json={"decision": "reject", "reason": "系统性风险所致，非尽职问题"})
    assert (r.json()["status"], r.json()["reason"]) == ("rejected", "系统性风险所致，非尽职问题")
    assert (await read_card(appraisal_api, as_user, "rm02", "2026"))["responsibility_deduction"] == "0.00"

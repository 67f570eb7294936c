"""Confirmed marketing results (登记每日营销业绩) feed the scorecard: kept in the ledger, counted once per
result on its own date, in a KPI the admin weights like any other."""
import copy
import uuid

from sqlmodel import func, select

from services.appraisal.models import LedgerEvent
from services.appraisal.rules import DEFAULT_KPIS
from tests.appraisal.conftest import kpi_line, our_event, read_card, staff

PERIOD = "2026-05"


def confirmed(cif: str, rm: str, on: str, category: str = "deposit") -> dict:
    return our_event("marketing-result.confirmed", cif, {
        "result_id": str(uuid.uuid4()), "customer_id": cif, "customer_ref": str(uuid.uuid4()), "rm": rm, "team": "T01",
        "category": category, "amount": "50000.00", "count": None, "result_date": on, "confirmed_by": "event",
        "confirmed_on": on, "evidence": str(uuid.uuid4())}, on)


async def test_confirmed_results_count_in_the_kpi_the_admin_weights(apply_event, appraisal_api, appraisal_db, as_user):
    await apply_event(staff("rm01", ["rm"], "T01"))
    kpis = copy.deepcopy(DEFAULT_KPIS)
    next(k for k in kpis if k["code"] == "intermediate_income")["weight"] = "5"
    kpis.append({"code": "marketing", "name_zh": "营销业绩（已确认）", "name_en": "Marketing results (confirmed)",
                 "weight": "5", "indicator": "marketing_results", "scoring": {"kind": "linear", "cap": "1.0"}})
    r = await appraisal_api.post("/api/v1/appraisal/kpi-definitions", headers=as_user("admin"),
                                 json={"effective_from": PERIOD, "definitions": kpis})
    assert r.status_code == 201, r.text
    r = await appraisal_api.put(f"/api/v1/appraisal/targets/{PERIOD}", headers=as_user("admin"),
                                json={"indicator": "marketing_results", "level": "rm", "targets": {"rm01": "4"}})
    assert r.status_code == 200, r.text
    twice = confirmed("C-MK1", "rm01", "2026-05-06")
    for event in (twice, twice, confirmed("C-MK2", "rm01", "2026-05-07", "card"),
                  confirmed("C-MK3", "rm01", "2026-05-29"), confirmed("C-MK4", "rm01", "2026-06-01"),
                  confirmed("C-MK5", "rm02", "2026-05-08")):
        await apply_event(event)
    line = kpi_line(await read_card(appraisal_api, as_user, "rm01", PERIOD), "marketing")
    assert (line["raw_value"], line["score"]) == ("3", "3.75")   # 3 of 4 targeted, weight 5
    async with appraisal_db() as s:
        kept = (await s.exec(select(func.count()).select_from(LedgerEvent).where(
            LedgerEvent.event_type == "marketing-result.confirmed"))).one()
    assert kept == 5

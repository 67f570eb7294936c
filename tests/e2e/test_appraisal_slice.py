"""Appraisal through the running system, on PostgreSQL and on SQLite: a customer created through the
gateway (customer.assigned on the broker) and a deposit posted by core banking move the owner's
provisional scorecard within seconds; recompute from the ledger agrees with it. A complaint resolved with
the RM responsible and an independent call-back reach the RM's card the same way (customer.events)."""
import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from shared.clock import business_today
from tests.e2e.conftest import Api, running_stack
from tests.support import core_event, publish, unique_cif, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def api(request, pg_server, tmp_path_factory):
    with running_stack(request.param, pg_server, tmp_path_factory.mktemp(request.param), "appraisal") as stack:
        yield Api(stack)


def expected_daily_average(balance: Decimal, today: date) -> Decimal:
    """A demand balance (coefficient 1.0) held from today to the month's end, averaged over the month."""
    days_in_month = calendar.monthrange(today.year, today.month)[1]
    held = days_in_month - today.day + 1
    return (balance * held / days_in_month).quantize(Decimal("0.01"), ROUND_HALF_UP)


async def test_a_deposit_moves_the_owners_scorecard_and_recompute_agrees(api: Api):
    today = business_today()   # the customer service stamps customer.assigned with today's business date
    cif = unique_cif()
    r = await api.call("POST", "/customers", "rm01", json={"cif": cif, "name": "江南纺织有限公司", "kind": "corporate"})
    assert r.status_code == 201, r.text
    event = core_event("deposit.changed", cif, {"account_id": f"D-{cif}", "customer_id": cif, "product": "demand",
                                                "currency": "CNY", "amount": "1234567.89", "balance": "1234567.89"},
                       business_date=today.isoformat())
    assert api.stack.kafka
    await publish(api.stack.kafka, "corebanking.deposits", cif, event)
    expected = expected_daily_average(Decimal("1234567.89"), today)

    async def deposits_line():
        r = await api.call("GET", "/appraisal/scorecards/rm01/kpis/deposits", "rm01")
        return r.json() if any(c["cif"] == cif for c in r.json()["drilldown"]["customers"]) else None

    line = await wait_for(deposits_line, what="the deposit on rm01's scorecard")
    assert Decimal(line["raw_value"]) == expected
    assert (await api.call("GET", "/appraisal/scorecards/rm01", "rm02")).status_code == 404
    period = today.strftime("%Y-%m")
    r = await api.call("POST", f"/appraisal/periods/{period}/recompute", "rm01")
    assert r.status_code == 200 and r.json()["matches_live"] is True, r.text
    [recomputed] = r.json()["scorecards"]
    assert recomputed["username"] == "rm01"
    assert next(k for k in recomputed["kpis"] if k["code"] == "deposits")["raw_value"] == line["raw_value"]


async def test_a_complaint_the_rm_is_responsible_for_and_a_call_back_reach_the_rms_card_through_the_broker(api: Api):
    cif = unique_cif()
    r = await api.call("POST", "/customers", "rm01", json={"cif": cif, "name": "东海贸易有限公司", "kind": "corporate"})
    assert r.status_code == 201, r.text
    customer = r.json()["id"]
    r = await api.call("POST", "/complaints", "rm01", json={
        "customer_id": customer, "channel": "phone", "category": "service", "severity": "low", "text": "回复慢"})
    assert r.status_code == 201, r.text
    r = await api.call("POST", f"/complaints/{r.json()['id']}/resolve", "lead01", json={
        "responsible": "rm", "responsible_staff": "rm01", "finding": "未按时回复", "feedback": "接受"})
    assert r.status_code == 200, r.text
    r = await api.call("POST", "/callbacks", "lead01", json={"customer_id": customer, "reached": True,
                                                            "satisfaction": 5})
    assert r.status_code == 201, r.text

    async def card():
        body = (await api.call("GET", "/appraisal/scorecards/rm01", "rm01")).json()
        line = next(k for k in body["kpis"] if k["code"] == "responsible_complaints")
        item = next((q for q in body["qualitative"] if q["item"] == "customer_satisfaction"), None)
        return (line, item) if line["raw_value"] not in (None, "0") and item else None

    line, item = await wait_for(card, what="the complaint and the call-back on rm01's card")
    assert Decimal(line["score"]) == -2 * Decimal(line["raw_value"])
    assert item["callbacks"] >= 1

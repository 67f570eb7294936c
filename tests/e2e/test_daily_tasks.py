"""The daily list through the running system: a large outflow becomes a retention call in the RM's
agenda and is cancelled (and announced) when the money comes back; a lead's ad-hoc task reaches the
RM; the lead's team view shows both with their assignees; a day the admin closes in the tasks service's
calendar reaches the customer service's complaint limits through the broker."""
import json
from datetime import timedelta

import pytest

from services.customer.rules import business_days_after
from shared.clock import business_today
from tests.e2e.conftest import Api, running_stack
from tests.support import core_event, publish, read_topic, unique_cif, wait_for
from tools.watch import query

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api(pg_server, tmp_path_factory):
    with running_stack("postgres", pg_server, tmp_path_factory.mktemp("daily"), "daily") as stack:
        yield Api(stack)


def flow(cif: str, amount: str, balance: str, day: str) -> dict:
    return core_event("deposit.changed", cif, {"account_id": f"A-{cif}", "customer_id": cif, "product": "demand",
                                               "currency": "CNY", "amount": amount, "balance": balance},
                      business_date=day)


async def test_outflow_retention_call_is_listed_then_cancelled_when_the_money_returns(api):
    r = await api.call("POST", "/customers", "rm01", json={"cif": unique_cif(), "name": "李娜", "kind": "retail"})
    assert r.status_code == 201, r.text
    cif = r.json()["cif"]
    await publish(api.stack.kafka, "corebanking.deposits", cif, flow(cif, "-800000.00", "200000.00", "2026-11-25"))

    async def retention():
        r = await api.call("GET", "/me/agenda?date=2026-11-26", "rm01")
        return [i for i in r.json()["items"] if i["cif"] == cif and i["kind"] == "retention_call"]

    [item] = await wait_for(retention, what="the retention call in rm01's agenda")
    assert item["due_date"] == "2026-11-26" and "800000.00" in item["title"] and item["rank_reason"]
    await publish(api.stack.kafka, "corebanking.deposits", cif, flow(cif, "800000.00", "1000000.00", "2026-11-26"))
    await wait_for(lambda: _cancelled(api, cif), what="the retention call cancelled")
    records = await read_topic(api.stack.kafka, "tasks.events",
                               lambda rec: rec.key == cif.encode() and b"task.cancelled" in rec.value)
    cancelled = [json.loads(rec.value) for rec in records if rec.key == cif.encode()]
    assert any(e["type"] == "task.cancelled" and e["data"]["reason"] == "deposit_returned" for e in cancelled)


async def test_a_change_the_consumer_commits_shows_on_an_agenda_page_already_served(api):
    """The tasks service keeps rendered agenda pages; the consumer is another process writing the tasks."""
    r = await api.call("POST", "/customers", "rm01", json={"cif": unique_cif(), "name": "王芳", "kind": "retail"})
    assert r.status_code == 201, r.text
    cif = r.json()["cif"]

    async def calls_for_cif():
        r = await api.call("GET", "/me/agenda?date=2026-11-27", "rm01")
        assert r.status_code == 200, r.text
        return [i for i in r.json()["items"] if i["cif"] == cif and i["kind"] == "retention_call"]

    assert await calls_for_cif() == [] and await calls_for_cif() == []   # rendered, then served again
    await publish(api.stack.kafka, "corebanking.deposits", cif, flow(cif, "-900000.00", "100000.00", "2026-11-26"))
    await wait_for(calls_for_cif, timeout=20, what="the consumer's new task on rm01's served agenda page")


async def test_a_renamed_customer_shows_under_the_new_name_on_the_served_agenda_and_the_task_list(api):
    """PATCH /customers/{id} publishes customer.changed; the tasks consumer renames the customer's tasks."""
    r = await api.call("POST", "/customers", "rm01", json={"cif": unique_cif(), "name": "赵敏", "kind": "retail"})
    assert r.status_code == 201, r.text
    customer = r.json()
    cif = customer["cif"]
    await publish(api.stack.kafka, "corebanking.deposits", cif, flow(cif, "-700000.00", "300000.00", "2026-11-25"))

    async def names_on_agenda():
        r = await api.call("GET", "/me/agenda?date=2026-11-26", "rm01")
        assert r.status_code == 200, r.text
        return {i["customer_name"] for i in r.json()["items"] if i["cif"] == cif}

    assert await wait_for(names_on_agenda, what="the retention call in rm01's agenda") == {"赵敏"}
    etag = (await api.call("GET", f"/customers/{customer['id']}", "rm01")).headers["ETag"]
    r = await api.call("PATCH", f"/customers/{customer['id']}", "rm01", json={"name": "赵敏华"},
                       headers={"If-Match": etag})
    assert r.status_code == 200, r.text

    async def renamed():
        return await names_on_agenda() == {"赵敏华"}

    await wait_for(renamed, timeout=20, what="the new name on rm01's served agenda page")
    assert {t["customer_name"] for t in await api.tasks_of("rm01", cif)} == {"赵敏华"}


async def _cancelled(api, cif):
    r = await api.call("GET", "/tasks?status=cancelled&limit=200", "rm01")
    return [t for t in r.json()["items"] if t["cif"] == cif and t["cancel_reason"] == "流出资金已回流"]


async def test_a_leads_ad_hoc_task_reaches_the_rm_and_the_team_view(api):
    due = (business_today() + timedelta(days=3)).isoformat()   # an ad-hoc task may not be born overdue
    body = {"assignee": "rm02", "title": "准备季度经营分析会材料", "due_date": due}

    async def tasks_knows_rm02():   # the assignee must exist for the tasks service: staff.changed has arrived
        return await query(api.stack, "tasks", "SELECT 1 FROM staff_book WHERE username = 'rm02'")

    await wait_for(tasks_knows_rm02, timeout=30, what="rm02 in the tasks service's staff book")
    r = await api.call("POST", "/tasks", "lead01", json=body, headers={"Idempotency-Key": "e2e-adhoc-1"})
    assert r.status_code == 201, r.text
    task_id = r.json()["id"]
    agenda = (await api.call("GET", f"/me/agenda?date={due}", "rm02")).json()
    assert task_id in {i["id"] for i in agenda["items"]}
    team = (await api.call("GET", f"/teams/T01/agenda?date={due}", "lead01")).json()
    assert {"id": task_id, "assignee": "rm02"}.items() <= next(i for i in team["items"] if i["id"] == task_id).items()


async def test_a_day_the_admin_closes_reaches_the_customer_services_complaint_limits_and_its_withdrawal_too(api):
    today = business_today()
    closed = business_days_after(today, 1, {})   # the next business day on China's calendar
    r = await api.call("PUT", f"/tasks/calendar/{closed}", "admin",
                       json={"day": closed.isoformat(), "business_day": False, "note": "台风停业"})
    assert r.status_code == 200, r.text

    async def customer_knows(business_day):
        rows = await query(api.stack, "customer", "SELECT business_day FROM business_day_override WHERE day = :day",
                           day=closed)
        return rows and rows[0][0] is business_day

    await wait_for(lambda: customer_knows(False), timeout=30, what="the closed day in the customer service")
    r = await api.call("POST", "/customers", "rm01", json={"cif": unique_cif(), "name": "赵磊", "kind": "retail"})
    assert r.status_code == 201, r.text
    r = await api.call("POST", "/complaints", "rm01", json={
        "customer_id": r.json()["id"], "channel": "phone", "category": "fees", "severity": "high", "text": "多收手续费"})
    assert r.status_code == 201, r.text
    # high: one business day — the closed day does not count
    assert r.json()["due_on"] == business_days_after(today, 1, {closed: False}).isoformat() != closed.isoformat()
    assert (await api.call("DELETE", f"/tasks/calendar/{closed}", "admin")).status_code == 204
    await wait_for(lambda: customer_knows(None), timeout=30, what="the withdrawal in the customer service")

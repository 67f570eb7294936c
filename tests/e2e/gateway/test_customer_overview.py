"""The customer 360 in one call through the gateway: the customer service's part and decision of scope,
the open tasks from the tasks service beside it; a tasks service that is down leaves only its part
unavailable."""
from datetime import timedelta

import pytest

from shared.clock import business_today
from tests.support import loan_due, publish, unique_cif, wait_for
from tools.devstack import wait_http

pytestmark = pytest.mark.e2e


async def customer_with_a_task(api, name):
    customer = (await api.call("POST", "/customers", "rm01", json={"cif": unique_cif(), "name": name,
                                                                  "kind": "corporate"})).json()
    due = (business_today() + timedelta(days=60)).isoformat()
    await publish(api.stack.kafka, "corebanking.loans", customer["cif"], loan_due(customer["cif"], "L-" + customer["cif"], due))

    async def task():
        tasks = (await api.call("GET", "/tasks?assignee=me&status=open&limit=200", "rm01")).json()["items"]
        return next((t for t in tasks if t["cif"] == customer["cif"] and t["customer_id"]), None)
    return customer, await wait_for(task, what=f"the loan's task for {customer['cif']}")


async def test_the_360_carries_the_customers_own_open_tasks_and_is_404_outside_scope(gateway_api):
    api = gateway_api
    customer, task = await customer_with_a_task(api, "三六零网关测试公司")
    _, other_task = await customer_with_a_task(api, "另一家公司")
    r = await api.call("GET", f"/customers/{customer['id']}/overview", "rm01")
    assert r.status_code == 200, r.text
    view = r.json()
    assert (view["customer"]["id"], view["customer"]["name"]) == (customer["id"], "三六零网关测试公司")
    assert [(o["owner"], o["owner_name"]) for o in view["owners"]] == [("rm01", "张经理")]
    assert (view["open_tasks"]["status"], view["open_tasks"]["service"]) == ("ok", "tasks")
    shown = {t["id"] for t in view["open_tasks"]["items"]}
    assert task["id"] in shown and other_task["id"] not in shown
    assert r.headers["etag"]
    again = await api.call("GET", f"/customers/{customer['id']}/overview", "rm01",
                           headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    outside = await api.call("GET", f"/customers/{customer['id']}/overview", "rm02")
    absent = await api.call("GET", "/customers/00000000-0000-0000-0000-000000000000/overview", "rm01")
    assert outside.status_code == absent.status_code == 404
    assert outside.headers["content-type"] == "application/problem+json" and outside.json()["code"] == "not_found"
    assert (await api.call("GET", f"/customers/{customer['id']}/overview")).status_code == 401
    doc = (await api.call("GET", "/openapi.json")).json()
    assert "open_tasks" in str(doc["paths"]["/api/v1/customers/{customer_id}/overview"])


async def test_with_the_tasks_service_down_the_360_still_answers_without_its_tasks(gateway_api):
    stack, strict = gateway_api.stack, gateway_api.on("gateway-strict")
    customer = (await gateway_api.call("POST", "/customers", "rm01", json={
        "cif": unique_cif(), "name": "任务服务停机测试", "kind": "corporate"})).json()
    await strict.headers("rm01")
    stack.stop("tasks")
    try:
        r = await strict.call("GET", f"/customers/{customer['id']}/overview", "rm01")
        assert r.status_code == 200, r.text
        assert r.json()["customer"]["id"] == customer["id"]
        assert (r.json()["open_tasks"]["status"], r.json()["open_tasks"]["reason"]) == ("unavailable", "connect")
    finally:
        stack.start_app("tasks")
        wait_http(stack.url("tasks") + "/healthz")

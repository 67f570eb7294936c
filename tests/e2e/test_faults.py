"""The running system when processes die or hang: nothing lost, nothing doubled, errors within 5 s."""
import json
import os
import signal
import time

import pytest

from services.appraisal.rules import DEFAULT_KPIS
from tests.e2e.conftest import Api, running_stack
from tests.support import loan_due, publish, read_topic, unique_cif, wait_for
from tools.watch import query

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api(pg_server, tmp_path_factory):
    backend = "postgres" if pg_server else "sqlite"
    with running_stack(backend, pg_server, tmp_path_factory.mktemp("faults"), "faults") as stack:
        yield Api(stack)


async def new_customer(api: Api, **headers) -> dict:
    r = await api.call("POST", "/customers", "rm01", headers=headers,
                       json={"cif": unique_cif(), "name": "西南能源有限公司", "kind": "corporate"})
    assert r.status_code == 201, r.text
    return r.json()


async def loan_tasks(api, cif, loan_id):
    return [t for t in await api.tasks_of("rm01", cif) if loan_id in t["title"]]


async def exited(proc):
    return proc.poll() is not None


async def test_consumer_killed_between_db_commit_and_offset_commit_leaves_exactly_one_task(api):
    stack = api.stack
    cif = (await new_customer(api))["cif"]
    await publish(stack.kafka, "corebanking.loans", cif, loan_due(cif, "L-WARM", "2026-12-31"))
    await wait_for(lambda: loan_tasks(api, cif, "L-WARM"), what="the customer known to the tasks service")

    stack.stop("tasks-consumer")
    stack.start_consumer("tasks", FAULT_CRASH_AFTER_DB_COMMIT="1")
    crashing = stack.procs["tasks-consumer"]
    event = loan_due(cif, "L-CRASH", "2026-12-31")
    await publish(stack.kafka, "corebanking.loans", cif, event)
    await wait_for(lambda: exited(crashing), timeout=30, what="the consumer to die after its DB commit")
    assert crashing.returncode == 137
    [before] = await query(stack, "tasks", "SELECT id, updated_at FROM task WHERE source_event_id = :e", e=event["id"])

    stack.procs.pop("tasks-consumer")
    stack.start_consumer("tasks")  # re-reads L-CRASH: its offset was never committed
    await publish(stack.kafka, "corebanking.loans", cif, loan_due(cif, "L-NEXT", "2026-12-31"))
    await wait_for(lambda: loan_tasks(api, cif, "L-NEXT"), timeout=30, what="the restarted consumer to catch up")
    rows = await query(stack, "tasks", "SELECT id, updated_at FROM task WHERE subject = 'L-CRASH' AND cif = :c", c=cif)
    assert rows == [before]  # one task, and the redelivered event did not even touch it
    assert len(await loan_tasks(api, cif, "L-CRASH")) == 1


async def test_outbox_rows_left_by_a_crash_are_published_after_restart(api):
    stack = api.stack
    stack.stop("customer")
    stack.start_app("customer", FAULT_CRASH_BEFORE_PUBLISH="1")
    from tools.devstack import wait_http
    wait_http(stack.url("customer") + "/healthz")
    crashing = stack.procs["customer"]
    cif = unique_cif()
    r = await api.call("POST", "/customers", "rm01", json={"cif": cif, "name": "崩溃测试公司", "kind": "retail"})
    assert r.status_code in (201, 503)  # the process may die before or after answering
    await wait_for(lambda: exited(crashing), timeout=20, what="the customer service to die before publishing")
    pending = await query(stack, "customer", "SELECT event_type FROM outbox WHERE key = :k AND published_at IS NULL "
                                             "ORDER BY seq", k=cif)
    assert [p[0] for p in pending] == ["customer.registered", "customer.assigned"]

    stack.procs.pop("customer")
    stack.start_app("customer")
    wait_http(stack.url("customer") + "/healthz")
    records = await read_topic(stack.kafka, "customer.events",
                               lambda r: r.key == cif.encode() and json.loads(r.value)["type"] == "customer.assigned")
    types = [json.loads(r.value)["type"] for r in records if r.key == cif.encode()]
    assert types == ["customer.registered", "customer.assigned"]
    await wait_for(lambda: _all_published(stack, cif), what="outbox rows marked published")


async def _all_published(stack, cif):
    rows = await query(stack, "customer", "SELECT count(*) FROM outbox WHERE key = :k AND published_at IS NULL", k=cif)
    return rows[0][0] == 0


async def test_customer_service_down_answers_503_problem_within_5_seconds(api):
    stack = api.stack
    await api.headers("rm01")  # sign in first: signing in is itself a call to the customer service
    stack.stop("customer")
    try:
        started = time.monotonic()
        r = await api.call("GET", "/customers", "rm01")
        assert time.monotonic() - started < 5
        assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["service"] == "customer" and "customer" in r.json()["detail"]
        health = await api.call("GET", "/healthz")
        assert health.status_code == 503 and health.json()["upstreams"]["customer"]["status"] == "down"
        assert health.json()["upstreams"]["tasks"]["status"] == "ok"
    finally:
        from tools.devstack import wait_http
        stack.start_app("customer")
        wait_http(stack.url("customer") + "/healthz")


async def test_a_hung_service_answers_503_within_5_seconds_not_a_hang(api):
    stack = api.stack
    await api.headers("rm01")  # sign in before the customer service hangs
    pid = stack.procs["customer"].pid
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        r = await api.call("GET", "/customers", "rm01")
        assert time.monotonic() - started < 5 and r.status_code == 503
    finally:
        os.kill(pid, signal.SIGCONT)


async def test_request_id_is_echoed_and_carried_into_the_event(api):
    rid = "req-" + unique_cif().lower()
    r = await api.call("POST", "/customers", "rm01", headers={"X-Request-ID": rid},
                       json={"cif": unique_cif(), "name": "追踪测试公司", "kind": "retail"})
    assert r.status_code == 201 and r.headers["x-request-id"] == rid
    cif = r.json()["cif"]
    records = await read_topic(api.stack.kafka, "customer.events", lambda rec: rec.key == cif.encode())
    assert {json.loads(rec.value)["request_id"] for rec in records if rec.key == cif.encode()} == {rid}
    assert rid in api.stack.log_tail("customer", 200)
    generated = await api.call("GET", "/me", "rm01")
    assert len(generated.headers["x-request-id"]) >= 16


async def test_merged_openapi_lists_every_service_route(api):
    doc = (await api.call("GET", "/openapi.json")).json()
    for path in ("/api/v1/auth/token", "/api/v1/customers", "/api/v1/me/agenda", "/api/v1/tasks",
                 "/api/v1/appraisal/scorecards/{username}", "/api/v1/healthz"):
        assert path in doc["paths"], path
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)) and "customers-create_customer" in ids


async def test_empty_scorecard_answers_through_the_gateway(api):
    r = await api.call("GET", "/appraisal/scorecards/rm01?period=2026-11", "rm01")
    assert r.status_code == 200 and r.json()["period"] == "2026-11" and r.json()["status"] == "provisional"
    assert [k["code"] for k in r.json()["kpis"]] == [k["code"] for k in DEFAULT_KPIS]   # the bank's default set
    assert (await api.call("GET", "/appraisal/scorecards/rm02?period=2026-11", "rm01")).status_code == 404
    assert (await api.call("GET", "/appraisal/scorecards/rm01?period=2026-13", "rm01")).status_code == 422


async def test_unknown_route_through_the_gateway_is_a_problem(api):
    r = await api.call("GET", "/nowhere")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"

"""The gateway when things go wrong or need watching: a service down (home degrades, breaker opens and
recovers), logout revocation, refresh through the gateway, the access log and /metrics."""
import json
import random
import string
import time
from datetime import date, timedelta

import httpx
import pytest

from services.customer.cli.seed import DEMO_PASSWORD
from shared.clock import business_today
from tests.support import loan_due, publish, unique_cif, wait_for
from tools.devstack import wait_http

pytestmark = pytest.mark.e2e


async def test_home_assembles_agenda_scorecard_and_overdue_alerts_in_one_call(gateway_api):
    api = gateway_api
    r = await api.call("POST", "/customers", "rm01", json={"cif": unique_cif(), "name": "首页测试公司", "kind": "corporate"})
    cif = r.json()["cif"]
    # Relative to today: the collection task falls due 30 days before the loan, never before today.
    loan_due_on = business_today() + timedelta(days=90)
    await publish(api.stack.kafka, "corebanking.loans", cif, loan_due(cif, "L-HOME", loan_due_on.isoformat()))

    async def task_due_date():
        on = loan_due_on - timedelta(days=30)   # the day it is due at the latest: it is on that day's agenda
        items = (await api.call("GET", f"/me/agenda?date={on}&limit=200", "rm01")).json()["items"]
        return next((date.fromisoformat(i["due_date"]) for i in items if i.get("cif") == cif), None)
    task_due = await wait_for(task_due_date, what="the loan's task in rm01's agenda")
    assert task_due <= loan_due_on - timedelta(days=30)
    looked_at = task_due + timedelta(days=9)   # nine days after the task fell due
    home = (await api.call("GET", f"/me/home?date={looked_at}", "rm01")).json()
    assert home["username"] == "rm01" and home["agenda"]["status"] == "ok" and home["agenda"]["total"] >= 1
    assert len(home["agenda"]["items"]) <= 5
    [alert] = [a for a in home["alerts"]["items"] if a["cif"] == cif]
    assert alert["kind"] == "task_overdue" and alert["days_overdue"] == 9
    card = home["scorecard"]
    assert (card["status"], card["service"], card["reason"], card["period"]) == \
        ("ok", "appraisal", None, looked_at.strftime("%Y-%m"))
    # no target is set for rm01 here: the card is scored, but it has no grade (目标未设定) until one is
    assert card["kpi_count"] >= 1 and card["total"] is not None and card["grade"] is None
    assert home["alerts"]["not_yet_available"] == []
    assert (await api.call("GET", "/me/home")).status_code == 401


async def test_with_a_service_down_home_still_answers_and_its_breaker_opens_then_recovers(gateway_api):
    stack, strict = gateway_api.stack, gateway_api.on("gateway-strict")   # breaker: 3 failures, 1 s open
    await strict.headers("admin")
    stack.stop("appraisal")
    try:
        home = await strict.call("GET", "/me/home", "admin")
        assert home.status_code == 200 and home.json()["agenda"]["status"] == "ok"
        assert home.json()["scorecard"]["status"] == "unavailable" and home.json()["scorecard"]["reason"] == "connect"
        for _ in range(2):
            r = await strict.call("GET", "/appraisal/scorecards/admin", "admin")
            assert r.status_code == 503 and r.json()["reason"] == "connect"
        started = time.monotonic()
        fast = await strict.call("GET", "/appraisal/scorecards/admin", "admin")
        assert fast.status_code == 503 and fast.json()["reason"] == "circuit_open" and fast.json()["service"] == "appraisal"
        assert time.monotonic() - started < 0.5 and int(fast.headers["retry-after"]) >= 1
    finally:
        stack.start_app("appraisal")
        wait_http(stack.url("appraisal") + "/healthz")

    async def recovered():
        return (await strict.call("GET", "/appraisal/scorecards/admin", "admin")).status_code == 200
    await wait_for(recovered, timeout=10, what="the half-open probe to close the breaker")
    health = (await strict.call("GET", "/healthz")).json()
    assert health["upstreams"]["appraisal"] == {"status": "ok", "http_status": 200, "breaker": "closed"}
    metrics = httpx.get(stack.url("gateway-strict-metrics") + "/metrics").text
    assert 'gateway_upstream_errors_total{kind="circuit_open",service="appraisal"}' in metrics


async def sign_in(api, username: str) -> dict:
    async with httpx.AsyncClient(timeout=10) as c:
        r = await c.post(api.base + "/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()


async def test_refresh_works_through_the_gateway_and_logout_revokes_the_sessions_access_tokens(gateway_api):
    api = gateway_api
    pair = await sign_in(api, "rm02")
    bearer = {"Authorization": f"Bearer {pair['access_token']}"}
    refreshed = await api.call("POST", "/auth/refresh", data={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["access_token"] != pair["access_token"]
    newer = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert (await api.call("GET", "/me", headers=bearer)).status_code == 200

    assert (await api.call("POST", "/auth/logout", headers=newer)).status_code == 204

    async def refused(gateway, headers):
        r = await gateway.call("GET", "/me", headers=headers)
        return r if r.status_code == 401 else None
    # both tokens of the session, on both replicas: each replica learns of the logout from the broker on its own
    for gateway in (api, api.on("gateway-strict")):
        for headers in (bearer, newer):
            r = await wait_for(lambda g=gateway, h=headers: refused(g, h), timeout=20,
                               what="each gateway to learn of the logout")
            assert r.json()["code"] == "session_revoked"
    other = await sign_in(api, "rm02")   # a new sign-in is a new session
    assert (await api.call("GET", "/me", headers={"Authorization": f"Bearer {other['access_token']}"})).status_code == 200


async def test_access_log_and_metrics_name_user_route_status_and_latency(gateway_api):
    api = gateway_api
    rid = "trace-" + unique_cif().lower()
    r = await api.call("GET", "/tasks?limit=5", "lead01", headers={"X-Request-ID": rid})
    assert r.status_code == 200 and r.headers["x-request-id"] == rid

    async def logged(process: str, msg: str | None):   # a process logs after its answer has left
        entries = []
        for line in api.stack.log_tail(process, 500).splitlines():
            try:
                entries += [json.loads(line)] if rid in line else []
            except ValueError:   # the line being written as we read
                continue
        return [e for e in entries if msg is None or e["msg"] == msg]
    [entry] = await wait_for(lambda: logged("gateway", "request"), timeout=10, what="the gateway's access log line")
    assert (entry["user"], entry["route"], entry["status"], entry["method"]) == ("lead01", "/api/v1/tasks", 200, "GET")
    assert entry["ms"] > 0
    await wait_for(lambda: logged("tasks", None), timeout=10, what="the same id in the service's log")
    metrics = httpx.get(api.stack.url("gateway-metrics") + "/metrics").text
    assert 'gateway_request_seconds_bucket{le="0.05",method="GET",route="/api/v1/tasks"}' in metrics
    assert (await api.call("GET", "/appraisal/scorecards/lead01", "lead01")).status_code == 200
    metrics = httpx.get(api.stack.url("gateway-metrics") + "/metrics").text   # the template, not the path
    assert 'gateway_request_seconds_count{method="GET",route="/api/v1/appraisal/scorecards/{username}"}' in metrics


async def test_tokenless_requests_to_ever_new_paths_add_no_metric_series_and_metrics_stay_off_the_api_port(
        gateway_api):
    api, scrape = gateway_api, gateway_api.stack.url("gateway-metrics") + "/metrics"
    assert (await api.call("GET", "/appraisal/scorecards/lead01", "lead01")).status_code == 200
    before = httpx.get(scrape).text
    async with httpx.AsyncClient(timeout=30) as c:
        for _ in range(1000):
            name = "".join(random.choices(string.ascii_letters, k=2000))
            r = await c.get(f"{api.base}/appraisal/scorecards/{name}")
            assert r.status_code == 401
    after = httpx.get(scrape).text
    def series(text):
        return [line for line in text.splitlines() if line.startswith("gateway_responses_total{")]
    assert len(series(after)) <= len(series(before)) + 1   # at most the template's 401, once
    assert len(after) < len(before) + 4096, "1,000 new paths grew /metrics"
    assert 'gateway_responses_total{method="GET",route="/api/v1/appraisal/scorecards/{username}",status="401"}' \
        in after
    public = httpx.get(api.stack.url("gateway") + "/metrics")
    assert public.status_code == 404 and "gateway_request_seconds" not in public.text


async def test_a_stale_bearer_sent_along_does_not_block_refreshing_or_signing_in(gateway_api):
    api = gateway_api
    pair = await sign_in(api, "rm01")
    stale = {"Authorization": "Bearer expired.or.garbage"}
    r = await api.call("POST", "/auth/refresh", headers=stale, data={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 200 and r.json()["access_token"]
    assert (await api.call("GET", "/me", headers=stale)).status_code == 401   # elsewhere it still counts

"""The first slice through the running system, on PostgreSQL and on the embedded SQLite default:
core banking says a loan is due -> the owning RM sees a collection task in the agenda."""
import asyncio
import json
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest

from shared.clock import business_today
from tests.e2e.conftest import Api, running_stack
from tests.support import loan_due, publish, read_topic, unique_cif, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def api(request, pg_server, tmp_path_factory):
    with running_stack(request.param, pg_server, tmp_path_factory.mktemp(request.param), "slice") as stack:
        yield Api(stack)


async def new_customer(api: Api, username="rm01") -> dict:
    r = await api.call("POST", "/customers", username, json={"cif": unique_cif(), "name": "华东机电有限公司",
                                                            "kind": "corporate"})
    assert r.status_code == 201, r.text
    return r.json()


async def test_rm_sees_the_loan_due_task_in_the_agenda_and_rm02_does_not(api):
    customer = await new_customer(api)
    cif = customer["cif"]
    # exactly as core banking would: key = CIF, JSON envelope, onto corebanking.loans
    # Ahead of today: a task moved to its owner is never due before the day it reached them.
    loan_due_on = business_today() + timedelta(days=90)
    task_due = loan_due_on - timedelta(days=30)
    await publish(api.stack.kafka, "corebanking.loans", cif, loan_due(cif, "L-E2E", loan_due_on.isoformat()))

    async def in_agenda():
        r = await api.call("GET", f"/me/agenda?date={task_due}", "rm01")
        return [i for i in r.json()["items"] if i["cif"] == cif]

    [item] = await wait_for(in_agenda, what="the task in rm01's agenda")
    # 30 days before the loan, moved back to a business day so it is never late
    assert task_due - timedelta(days=10) <= date.fromisoformat(item["due_date"]) <= task_due   # 春节 at most
    assert item["kind"] == "collection"
    assert item["customer_id"] == customer["id"] and item["assignee"] == "rm01"
    assert "L-E2E" in item["title"] and loan_due_on.isoformat() in item["reason"] and "30 天" in item["reason"]
    rm02 = await api.call("GET", f"/me/agenda?date={loan_due_on}", "rm02")
    assert cif not in {i["cif"] for i in rm02.json()["items"]}
    assert await api.tasks_of("rm02", cif) == []
    assert (await api.call("GET", f"/customers/{customer['id']}", "rm02")).status_code == 404


async def test_the_same_event_published_twice_makes_one_task(api):
    cif = (await new_customer(api))["cif"]
    event = loan_due(cif, "L-TWICE", "2026-12-31")
    await publish(api.stack.kafka, "corebanking.loans", cif, event)
    await publish(api.stack.kafka, "corebanking.loans", cif, event)
    await publish(api.stack.kafka, "corebanking.loans", cif, loan_due(cif, "L-AFTER", "2026-12-31"))
    tasks = await wait_for(lambda: _with_loan(api, cif, "L-AFTER"), what="the task after the duplicate")
    assert [t["title"] for t in tasks].count("到期催收：贷款 L-TWICE 将于 2026-12-31 到期") == 1


async def test_a_malformed_message_lands_in_the_dlq_and_the_next_valid_one_is_processed(api):
    cif = (await new_customer(api))["cif"]
    await publish(api.stack.kafka, "corebanking.loans", cif, b'{"id": "broken", "type": "loan.due"')
    await publish(api.stack.kafka, "corebanking.loans", cif, loan_due(cif, "L-VALID", "2026-12-31"))
    await wait_for(lambda: _with_loan(api, cif, "L-VALID"), what="the valid message after the malformed one")
    dead = await read_topic(api.stack.kafka, "corebanking.loans.dlq", lambda r: r.key == cif.encode())
    reasons = {(dict(r.headers)["consumer"], dict(r.headers)["dlq-reason"]) for r in dead if r.key == cif.encode()}
    assert (b"tasks", b"not valid JSON") in reasons


async def _with_loan(api, cif, loan_id):
    tasks = await api.tasks_of("rm01", cif)
    return tasks if any(loan_id in t["title"] for t in tasks) else None


async def test_the_readme_demo_make_publish_raises_a_collection_task_for_the_rm(api):
    cif = (await new_customer(api))["cif"]
    # What `make publish EVENT=loan.due CIF=…` runs, against this stack's broker.
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "tools.publish", "loan.due", cif],
                                   capture_output=True, text=True, timeout=60,
                                   env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": api.stack.kafka or ""})
    assert done.returncode == 0, done.stderr
    loan_id = json.loads(done.stdout.splitlines()[-1])["data"]["loan_id"]

    async def in_open_tasks():   # the README's `GET /tasks?status=open`
        r = await api.call("GET", "/tasks?status=open&limit=200", "rm01")
        return [t for t in r.json()["items"] if t["cif"] == cif and loan_id in t["title"]]

    [task] = await wait_for(in_open_tasks, what="the demo's loan.due task among rm01's open tasks")
    assert task["kind"] == "collection" and task["assignee"] == "rm01"

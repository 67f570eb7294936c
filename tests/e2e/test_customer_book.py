"""End-to-end: the customer consumer process projects holdings and tier from core-banking events on the
real broker, and the customer service announces staff and tier changes on customer.events."""
import json

import pytest

from tests.e2e.conftest import Api, running_stack
from tests.support import core_event, publish, read_topic, unique_cif, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api(pg_server, tmp_path_factory):
    with running_stack("postgres", pg_server, tmp_path_factory.mktemp("book"), "book") as stack:
        yield Api(stack)


async def test_deposits_published_by_core_banking_reach_holdings_and_raise_the_tier(api):
    cif = unique_cif()
    r = await api.call("POST", "/customers", "rm01", json={"cif": cif, "name": "李先生", "kind": "retail"})
    assert r.status_code == 201, r.text
    customer = r.json()
    for event in (core_event("deposit.opened", cif, {"account_id": "E2E-D1", "customer_id": cif, "product": "wealth",
                                                     "currency": "CNY", "opened_on": "2026-11-25"}),
                  core_event("deposit.changed", cif, {"account_id": "E2E-D1", "customer_id": cif, "product": "wealth",
                                                      "currency": "CNY", "amount": "600000.00",
                                                      "balance": "600000.00"})):
        await publish(api.stack.kafka, "corebanking.deposits", cif, event)

    async def gold():
        h = (await api.call("GET", f"/customers/{customer['id']}/holdings", "rm01")).json()
        return h if h["tier"] == "gold" else None

    holdings = await wait_for(gold, what="the deposit in holdings and the gold tier")
    assert [(a["account_id"], a["balance"]) for a in holdings["deposits"]] == [("E2E-D1", "600000.00")]
    seen = await read_topic(api.stack.kafka, "customer.events",
                            lambda rec: rec.key == cif.encode() and b"customer.tier-changed" in rec.value)
    [tier] = [json.loads(rec.value) for rec in seen if rec.key == cif.encode() and b"tier-changed" in rec.value]
    assert tier["data"]["to_tier"] == "gold" and tier["data"]["basis"] == {"aum": "600000.00"}


async def test_the_demo_staff_are_announced_on_customer_events(api):
    seen = await read_topic(api.stack.kafka, "customer.events", lambda rec: rec.key == b"lead01")
    [lead] = [json.loads(rec.value) for rec in seen if rec.key == b"lead01"]
    assert lead["type"] == "staff.changed" and lead["data"]["team"] == "T01"

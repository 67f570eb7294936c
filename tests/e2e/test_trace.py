"""End-to-end: one trace from an API write to the consumer it reaches, across the real processes.

Each process writes its spans as JSON lines into OTEL_TRACES_DIR (processes cannot share an in-memory
exporter); the test follows the caller's traceparent through gateway → customer service (and its SQL)
→ outbox relay → customer.assigned on Kafka → tasks consumer."""
import json
import secrets

import httpx
import pytest

from tests.e2e.conftest import Api, running_stack
from tests.support import unique_cif, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def traced(pg_server, tmp_path_factory):
    spans_dir = tmp_path_factory.mktemp("spans")
    with running_stack("postgres", pg_server, tmp_path_factory.mktemp("trace"), "trace",
                       OTEL_TRACES_DIR=str(spans_dir)) as stack:
        yield Api(stack), spans_dir


def spans_of(spans_dir, trace_id: str) -> list[dict]:
    found = []
    for path in spans_dir.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            span = json.loads(line)   # a line is written whole: the exporter writes one span per line
            if span["context"]["trace_id"] == "0x" + trace_id:
                found.append({**span, "service": span["resource"]["attributes"]["service.name"]})
    return found


def one(spans: list[dict], **where) -> dict:
    matching = [s for s in spans if all((s.get(k) if k != "event_type" else s["attributes"].get("rm.event_type")) == v
                                        for k, v in where.items())]
    assert len(matching) == 1, (where, [(s["service"], s["name"], s["kind"]) for s in spans])
    return matching[0]


async def gateway_knows_the_routes(api: Api) -> bool:
    """The gateway names spans and metrics by the services' route templates, learned from their OpenAPI
    documents in the background once they answer: until then every path reads "unmatched"."""
    await api.call("GET", "/customers?limit=1", "rm01")
    async with httpx.AsyncClient(timeout=10) as c:
        text = (await c.get(api.stack.url("gateway-metrics") + "/metrics")).text
    return 'route="/api/v1/customers"' in text


async def test_an_api_write_is_one_trace_from_the_gateway_to_the_tasks_consumer(traced):
    api, spans_dir = traced
    await wait_for(lambda: gateway_knows_the_routes(api), timeout=30, what="the gateway to learn the route templates")
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    r = await api.call("POST", "/customers", "rm01", json={"cif": unique_cif(), "name": "周女士", "kind": "retail"},
                       headers={"traceparent": f"00-{trace_id}-{caller_span}-01"})
    assert r.status_code == 201, r.text

    async def consumed():
        spans = spans_of(spans_dir, trace_id)
        return spans if any(s["service"] == "tasks-consumer" and s["kind"] == "SpanKind.CONSUMER" for s in spans) else None
    spans = await wait_for(consumed, timeout=30, what="the tasks consumer's span in the caller's trace")

    gateway = one(spans, service="gateway", kind="SpanKind.SERVER")
    assert gateway["parent_id"] == "0x" + caller_span and gateway["name"] == "POST /api/v1/customers"
    forwarded = one(spans, service="gateway", kind="SpanKind.CLIENT")
    assert forwarded["parent_id"] == gateway["context"]["span_id"]
    service = one(spans, service="customer", kind="SpanKind.SERVER")
    assert service["parent_id"] == forwarded["context"]["span_id"] and service["name"] == "POST /api/v1/customers"
    assert any(s["service"] == "customer" and "outbox" in str(s["attributes"].get("db.statement", "")) for s in spans)
    published = one(spans, service="customer", kind="SpanKind.PRODUCER", event_type="customer.assigned")
    assert published["parent_id"] == service["context"]["span_id"]
    # customer.registered and customer.assigned may reach the tasks consumer in one poll: one span, a child of
    # the first one's publish span and linked to each
    [consumer] = [s for s in spans if s["service"] == "tasks-consumer" and s["kind"] == "SpanKind.CONSUMER"
                  and "customer.assigned" in s["attributes"]["rm.event_types"]]
    links = [link["context"]["span_id"] for link in consumer["links"]]
    assert published["context"]["span_id"] in links and consumer["parent_id"] == links[0]
    assert all(s["parent_id"] == service["context"]["span_id"] for s in spans if s["context"]["span_id"] in links)

"""What an outsider tried at the gateway: one usable ETag, slow request heads, and the audit trail
knowing the caller's address as the gateway saw it."""
import asyncio
import socket
import time

import pytest

from tests.e2e.gateway.test_conventions import customer
from tests.support import unique_cif
from tools.watch import query

pytestmark = pytest.mark.e2e


async def test_a_customer_read_carries_one_etag_that_if_match_accepts_and_if_none_match_answers_304(gateway_api):
    api = gateway_api
    created = (await api.call("POST", "/customers", "rm01", json=customer(unique_cif()))).json()
    read = await api.call("GET", f"/customers/{created['id']}", "rm01")
    [etag] = read.headers.get_list("etag")
    same = await api.call("GET", f"/customers/{created['id']}", "rm01", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.headers["etag"] == etag
    changed = await api.call("PATCH", f"/customers/{created['id']}", "rm01", json={"address": "杭州市西湖区"},
                             headers={"If-Match": etag})
    assert changed.status_code == 200, changed.text
    again = await api.call("GET", f"/customers/{created['id']}", "rm01", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers.get_list("etag") == [changed.headers["etag"]] != [etag]


def closed_while_trickling(port: int, give_up_after: float) -> bool:
    """Send a request head one byte at a time, a byte every 0.2 s; True once the gateway hangs up."""
    head = b"GET /api/v1/healthz HTTP/1.1\r\nhost: x\r\n" + b"x-slow: " + b"a" * 200
    with socket.create_connection(("127.0.0.1", port)) as sock:
        deadline = time.monotonic() + give_up_after
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return True
            sock.settimeout(0.2)
            try:
                if sock.recv(1) == b"":
                    return True
            except socket.timeout:
                pass
            if time.monotonic() > deadline:
                return False
    return False


async def test_a_client_trickling_its_request_head_is_disconnected_at_the_header_timeout(gateway_api):
    started = time.monotonic()   # the strict replica allows 3 s for a request head
    assert await asyncio.to_thread(closed_while_trickling, gateway_api.stack.ports["gateway-strict"], 30)
    assert time.monotonic() - started < 15
    healthy = await gateway_api.on("gateway-strict").call("GET", "/healthz")
    assert healthy.status_code in (200, 503)   # a prompt client is still served


async def test_the_audit_trail_records_the_callers_address_as_the_gateway_saw_it(gateway_api):
    api = gateway_api
    created = (await api.call("POST", "/customers", "rm01", json=customer(unique_cif()))).json()
    rows = await query(api.stack, "customer", "SELECT client FROM audit_entry WHERE cif = :cif", cif=created["cif"])
    assert rows and {r.client for r in rows} == {"127.0.0.1"}

"""PII never leaves unmasked unless the role may see it (scanning every customer endpoint and every
event), unmasked reads are audited, and invalid input is a problem naming the field with nothing written."""
import json

import pytest
from sqlmodel import select

from services.customer.models import AuditEntry, Customer
from shared.outbox import OutboxMessage
from tests.customer.helpers import count, create
from tests.support import unique_cif

NATIONAL_ID, PHONE, CONTACT_PHONE = "110101199003071233", "13812345678", "13987654321"
ROLES = ("rm01", "lead01", "branch01", "risk01", "audit01", "admin")


async def customer_with_pii(api, login):
    c = (await create(api, await login("rm01"), kind="retail", national_id=NATIONAL_ID, phone=PHONE)).json()
    r = await api.post(f"/api/v1/customers/{c['id']}/contacts", headers=await login("rm01"),
                       json={"name": "刘财务", "role": "财务总监", "phone": CONTACT_PHONE})
    assert r.status_code == 201
    await api.post(f"/api/v1/customers/{c['id']}/interactions", headers=await login("rm01"),
                   json={"channel": "phone", "occurred_on": "2026-11-20", "notes": "电话回访"})
    return c


def customer_get_paths(api, c) -> list[str]:
    """Every GET route of the customer service that shows customers, found from the app itself."""
    spec = api._transport.app.openapi()["paths"]
    paths = [p for p, ops in spec.items() if "get" in ops and p.startswith("/api/v1/customers")]
    assert len(paths) >= 7, paths
    return [p.replace("{customer_id}", c["id"]) + ("?q=" + c["cif"] if p == "/api/v1/customers" else "")
            for p in paths]


def leaks(text: str) -> list[str]:
    return [v for v in (NATIONAL_ID, PHONE, CONTACT_PHONE) if v in text]


async def test_no_customer_endpoint_or_event_carries_full_pii_without_an_allowed_unmask(
        customer_api, login, customer_db):
    c = await customer_with_pii(customer_api, login)
    for who in ROLES:
        for path in customer_get_paths(customer_api, c):
            r = await customer_api.get(path, headers=await login(who))
            assert r.status_code == 200 and not leaks(r.text), (who, path, r.text)
    audit_view = await customer_api.get(f"/api/v1/audit?customer_id={c['id']}", headers=await login("audit01"))
    assert audit_view.status_code == 200 and audit_view.json()["items"] and not leaks(audit_view.text)
    async with customer_db() as s:
        payloads = [json.dumps(m.payload, ensure_ascii=False) for m in (await s.exec(select(OutboxMessage))).all()]
    assert payloads and not [p for p in payloads if leaks(p)]


@pytest.mark.parametrize("who", ("risk01", "audit01", "admin"))
async def test_roles_that_may_not_unmask_are_refused(customer_api, login, who):
    c = (await create(customer_api, await login("rm01"), national_id=NATIONAL_ID)).json()
    r = await customer_api.get(f"/api/v1/customers/{c['id']}?unmask=true", headers=await login(who))
    assert r.status_code == 403 and not leaks(r.text)


async def test_an_unmasked_read_shows_full_values_and_is_audited(customer_api, login, customer_db):
    c = await customer_with_pii(customer_api, login)
    r = await customer_api.get(f"/api/v1/customers/{c['id']}?unmask=true", headers=await login("rm01"))
    assert r.json()["national_id"] == NATIONAL_ID and r.json()["phone"] == PHONE
    contacts = await customer_api.get(f"/api/v1/customers/{c['id']}/contacts?unmask=true",
                                      headers=await login("lead01"))
    assert contacts.json()["items"][0]["phone"] == CONTACT_PHONE
    async with customer_db() as s:
        reads = (await s.exec(select(AuditEntry).where(AuditEntry.customer_id == c["id"],
                                                       AuditEntry.action == "pii.unmasked_read"))).all()
    assert [(e.actor, e.after["view"]) for e in reads] == [("rm01", "customer"), ("lead01", "contacts")]
    assert all(e.request_id for e in reads)


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"cif": "c-12"}, "cif", "string_pattern_mismatch"),
    ({"national_id": "110101199003071234"}, "national_id", "national_id_invalid"),
    ({"credit_code": "91350100M000100Y44"}, "credit_code", "credit_code_invalid"),
    ({"phone": "12345678901"}, "phone", "phone_invalid"),
    ({"owner": "nobody"}, "owner", "unknown_owner"),
])
async def test_invalid_input_names_the_field_and_writes_nothing(customer_api, login, customer_db, body, field, code):
    cif = body.get("cif", unique_cif())
    outbox, trail = await count(customer_db, OutboxMessage), await count(customer_db, AuditEntry)
    r = await create(customer_api, await login("lead01", **{"Accept-Language": "en"}), **{**body, "cif": cif})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert await count(customer_db, Customer, Customer.cif == cif) == 0
    assert await count(customer_db, OutboxMessage) == outbox and await count(customer_db, AuditEntry) == trail


async def test_valid_check_digits_are_accepted(customer_api, login):
    r = await create(customer_api, await login("rm01"), credit_code="91350100M000100Y43",
                     national_id="11010519491231002X", phone="+86 139-1234-5678")
    assert r.status_code == 201, r.text
    assert r.json()["credit_code"] == "91350100M000100Y43" and r.json()["phone"] == "139****5678"


async def test_patch_needs_the_current_etag_and_a_stale_one_writes_nothing(customer_api, login, customer_db):
    rm = await login("rm01")
    c = (await create(customer_api, rm)).json()
    url = f"/api/v1/customers/{c['id']}"
    etag = (await customer_api.get(url, headers=rm)).headers["ETag"]
    assert (await customer_api.patch(url, json={"address": "A"}, headers=rm)).status_code == 428
    first = await customer_api.patch(url, json={"address": "杭州市西湖区"}, headers={**rm, "If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    trail = await count(customer_db, AuditEntry)
    stale = await customer_api.patch(url, json={"address": "被覆盖"}, headers={**rm, "If-Match": etag})
    assert stale.status_code == 412 and stale.json()["errors"][0]["field"] == "If-Match"
    assert (await customer_api.get(url, headers=rm)).json()["address"] == "杭州市西湖区"
    assert await count(customer_db, AuditEntry) == trail
    bad = await customer_api.patch(url, json={"national_id": "110101199003071234"},
                                   headers={**rm, "If-Match": first.headers["ETag"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "national_id"


async def test_search_finds_by_name_cif_prefix_and_full_phone_within_scope(customer_api, login):
    c = (await create(customer_api, await login("rm01"), name="星河电子科技有限公司", phone="13700001111")).json()
    for q in ("星河电子", c["cif"][:6], "137-0000-1111"):
        found = await customer_api.get("/api/v1/customers", params={"q": q}, headers=await login("rm01"))
        items = found.json()["items"]
        assert c["cif"] in {i["cif"] for i in items}, q
    other = (await customer_api.get("/api/v1/customers", params={"q": "13700001111"}, headers=await login("rm02")))
    assert c["cif"] not in {i["cif"] for i in other.json()["items"]}


async def test_a_cursor_that_decodes_to_a_nul_is_refused_as_a_bad_cursor(customer_api, login):
    r = await customer_api.get("/api/v1/customers?cursor=AA==", headers=await login("rm01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("query, field", [
    ("after_seq=18446744073709551616", "after_seq"),
    ("from=0001-01-01T00:00:00%2B14:00", "from"),
    ("to=2026-12-04T08:00:00", "to"),          # no zone: which instant is meant is unknown
])
async def test_audit_filters_out_of_range_are_refused_not_failed(customer_api, login, query, field):
    r = await customer_api.get(f"/api/v1/audit?{query}", headers=await login("audit01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


async def test_an_audit_filter_may_be_a_date_meaning_its_midnight_at_the_bank(customer_api, login):
    c = (await create(customer_api, await login("rm01"))).json()
    day = (await customer_api.get(f"/api/v1/audit?customer_id={c['id']}", headers=await login("admin"))).json()["items"]
    assert day, "registering a customer is audited"
    at = day[0]["at"][:10]
    r = await customer_api.get(f"/api/v1/audit?customer_id={c['id']}&from=2000-01-01&to=2999-12-31",
                               headers=await login("admin"))
    assert r.status_code == 200 and [e["seq"] for e in r.json()["items"]] == [e["seq"] for e in day]
    later = await customer_api.get(f"/api/v1/audit?customer_id={c['id']}&from=2999-12-31", headers=await login("admin"))
    assert later.status_code == 200 and later.json()["items"] == [] and at < "2999"

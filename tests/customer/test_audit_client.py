"""Audit entries record where the request came from: the address the gateway passes on."""
from sqlmodel import select

from services.customer.models import AuditEntry
from tests.customer.helpers import create


async def test_a_registration_is_audited_with_the_forwarded_callers_address(customer_api, customer_db, login):
    r = await create(customer_api, await login("rm01", **{"X-Forwarded-For": "198.51.100.44"}))
    assert r.status_code == 201, r.text
    async with customer_db() as s:
        entries = (await s.exec(select(AuditEntry).where(AuditEntry.cif == r.json()["cif"]))).all()
    assert entries and {e.client for e in entries} == {"198.51.100.44"}

"""通融权限 (domain.md, Conduct): the discretionary fee authority grows with grade (the rule table's default)
and the admin may grant a person their own; staff administration and the person themselves see it, while no
customer view and no event carries it."""
from sqlmodel import select

from services.customer.cli.seed import DEMO_PASSWORD
from services.customer.rules import DISCRETIONARY_AUTHORITY
from shared.outbox import OutboxMessage
from tests.customer.helpers import create


async def _listed(api, headers, username):
    r = await api.get("/api/v1/staff", params={"q": username}, headers=headers)
    assert r.status_code == 200, r.text
    return next(s for s in r.json()["items"] if s["username"] == username)


async def test_authority_follows_the_grade_unless_the_admin_grants_one(customer_api, login):
    me = (await customer_api.get("/api/v1/me", headers=await login("rm01"))).json()
    assert (me["grade"], me["discretionary_authority"]) == ("intermediate", str(DISCRETIONARY_AUTHORITY["intermediate"]))
    admin = await login("admin")
    r = await customer_api.post("/api/v1/staff", headers=admin, json={
        "username": "rmauth", "display_name": "rmauth", "roles": ["rm"], "unit": "SB01", "team": "T01",
        "grade": "junior", "password": DEMO_PASSWORD})
    assert (r.status_code, r.json()["discretionary_authority"]) == (201, "1000.00"), r.text
    r = await customer_api.patch("/api/v1/staff/rmauth", headers=admin, json={"grade": "senior"})
    assert (r.json()["discretionary_authority"], r.json()["discretionary_authority_granted"]) == ("20000.00", None)
    r = await customer_api.patch("/api/v1/staff/rmauth", headers=admin, json={"discretionary_authority": "8000.00"})
    assert (r.json()["discretionary_authority"], r.json()["discretionary_authority_granted"]) == ("8000.00", "8000.00")
    assert (await _listed(customer_api, admin, "rmauth"))["discretionary_authority"] == "8000.00"
    assert (await customer_api.get("/api/v1/me", headers=await login("rmauth"))).json()["discretionary_authority"] \
        == "8000.00"
    r = await customer_api.patch("/api/v1/staff/rmauth", headers=admin, json={"discretionary_authority": None})
    assert r.json()["discretionary_authority"] == "20000.00"   # back to the grade's
    r = await customer_api.patch("/api/v1/staff/rmauth", headers=admin, json={"discretionary_authority": "-1"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"].endswith("discretionary_authority"), r.text
    r = await customer_api.patch("/api/v1/staff/rmauth", headers=await login("lead01"),
                                 json={"discretionary_authority": "99999.00"})
    assert r.status_code == 403
    assert (await _listed(customer_api, admin, "rmauth"))["discretionary_authority"] == "20000.00"


async def test_no_customer_view_and_no_event_carries_the_authority(customer_api, customer_db, login):
    rm = await login("rm01")
    await customer_api.patch("/api/v1/staff/rm01", headers=await login("admin"), json={"discretionary_authority": "7000"})
    customer = (await create(customer_api, rm)).json()
    for path in (f"/customers/{customer['id']}", f"/customers/{customer['id']}/ownership", "/customers?limit=50",
                 f"/customers/{customer['id']}/holdings"):
        r = await customer_api.get("/api/v1" + path, headers=rm)
        assert r.status_code == 200, r.text
        assert "discretionary" not in r.text and "7000" not in r.text, path
    async with customer_db() as s:
        payloads = [m.payload for m in (await s.exec(select(OutboxMessage))).all()]
    assert payloads and not [p for p in payloads if "discretionary" in str(p)]

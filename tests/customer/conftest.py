"""A customer service app on a fresh database of its own, seeded with the demo org and staff."""
import pytest

from services.customer.cli.seed import DEMO_PASSWORD, seed_demo
from services.customer.config import Settings
from services.customer.main import create_app
from shared.db import make_engine, make_session_factory
from tests.customer.helpers import qualify
from tests.support import running_app


@pytest.fixture(scope="module")
async def customer_url(databases):
    return await databases("customer")


@pytest.fixture(scope="module")
async def customer_db(customer_url):
    engine = make_engine(customer_url)
    sessions = make_session_factory(engine)
    async with sessions() as session:
        await seed_demo(session)
    yield sessions
    await engine.dispose()


@pytest.fixture(scope="module")
async def customer_api(customer_url, customer_db, jwt_keys):
    settings = Settings(database_url=customer_url, jwt_private_key_file=jwt_keys[0], jwt_public_key_file=jwt_keys[1],
                        outbox_relay_enabled=False,
                        revocation_consumer_enabled=False)
    async with running_app(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
async def login(customer_api):
    tokens: dict[str, dict] = {}

    async def headers_for(username: str, **extra) -> dict:
        if username not in tokens:
            r = await customer_api.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            tokens[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return {**tokens[username], **extra}

    return headers_for


@pytest.fixture(scope="module")
async def apply_event(customer_db):
    """Apply one event as the customer consumer would (validation, dedup marker, handler, one commit)."""
    import json

    from services.customer.handlers import HANDLERS
    from shared.consumer import EventConsumer
    from shared.events import parse_event
    consumer = EventConsumer(name="customer", topics=[], handlers=HANDLERS, settings=Settings(),
                             session_factory=customer_db)

    async def apply(event: dict) -> None:
        envelope, data = parse_event(json.dumps(event).encode())
        await consumer.apply(HANDLERS[envelope.type], envelope, data)

    return apply


@pytest.fixture(scope="module")
async def second_branch(customer_api, login):
    """BR02 → SB02 with team T02 (lead02, rm03): a scope none of the demo staff but admin reaches."""
    admin = await login("admin")
    for path, body in (("/org/units", {"code": "BR02", "name": "第二分行", "level": "branch", "parent": "HQ"}),
                       ("/org/units", {"code": "SB02", "name": "第二支行", "level": "sub_branch", "parent": "BR02"}),
                       ("/org/teams", {"code": "T02", "name": "零售二组", "unit": "SB02"})):
        r = await customer_api.post("/api/v1" + path, json=body, headers=admin)
        assert r.status_code == 201, r.text
    for username, roles, grade in (("lead02", ["team_lead"], None), ("rm03", ["rm"], "senior")):
        r = await customer_api.post("/api/v1/staff", headers=admin, json={
            "username": username, "display_name": username, "roles": roles, "unit": "SB02", "team": "T02",
            "grade": grade, "password": DEMO_PASSWORD})
        assert r.status_code == 201, r.text
    await qualify(customer_api, admin, "rm03")
    return "BR02"

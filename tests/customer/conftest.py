"""A customer service app on a fresh database of its own, seeded with the demo org and staff."""
import pytest

from services.customer.config import Settings
from services.customer.main import create_app
from services.customer.seed import DEMO_PASSWORD, seed_demo
from shared.db import make_engine, make_session_factory
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
                        outbox_relay_enabled=False)
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

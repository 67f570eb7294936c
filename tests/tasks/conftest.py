"""A tasks service on a fresh database; events are applied through the same handler table the
consumer uses, and the API is called in-process with tokens signed like the customer service's."""
import uuid
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from services.tasks.config import Settings
from services.tasks.handlers import HANDLERS
from services.tasks.main import create_app
from services.tasks.models import Task
from shared.db import make_engine, make_session_factory
from shared.outbox import OutboxMessage
from tests.support import event_applier, mint_token, running_app, sessions_for, unique_cif


@pytest.fixture(scope="module")
async def tasks_url(databases):
    return await databases("tasks")


@pytest.fixture(scope="module")
async def tasks_db(tasks_url):
    async with sessions_for(tasks_url) as sessions:
        yield sessions


@pytest.fixture(scope="module")
async def apply_event(tasks_db):
    """Apply one event as the consumer would (validation, dedup marker, handler, one commit)."""
    return event_applier("tasks", HANDLERS, tasks_db)


@pytest.fixture(scope="module")
async def tasks_api(tasks_url, jwt_keys):
    settings = Settings(database_url=tasks_url, jwt_public_key_file=jwt_keys[1], outbox_relay_enabled=False,
                        revocation_consumer_enabled=False)
    async with running_app(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def as_user(jwt_keys):
    def headers(username: str, **extra) -> dict:
        return {"Authorization": f"Bearer {mint_token(jwt_keys[0], username)}", **extra}
    return headers


def customer_event(event_type: str, cif: str, business_date: str = "2026-11-25", **data) -> dict:
    """customer.registered / customer.assigned as the customer service publishes them."""
    base = {"customer_id": cif, "customer_ref": str(uuid.uuid5(uuid.NAMESPACE_OID, cif)), "unit": "SB01",
            "unit_path": "HQ/BR01/SB01", "government_related": False}
    if event_type == "customer.registered":
        base |= {"name": "测试公司", "kind": "corporate"}
    else:
        base |= {"role": "A", "owner": "rm01", "owner_team": "T01", "previous_owner": None,
                 "effective_from": datetime.now(timezone.utc).isoformat()}
    return {"id": str(uuid.uuid4()), "type": event_type, "version": 1, "source": "customer-service",
            "occurred_at": f"{business_date}T08:00:00Z", "business_date": business_date, "subject": cif,
            "data": {**base, **data}}


def staff_event(username: str, roles: list[str], unit_path: str, team: str | None = None) -> dict:
    """staff.changed as the customer service publishes it (keyed by username)."""
    return {"id": str(uuid.uuid4()), "type": "staff.changed", "version": 1, "source": "customer-service",
            "occurred_at": "2026-01-05T08:00:00Z", "business_date": "2026-01-05", "subject": username,
            "data": {"username": username, "display_name": username, "roles": roles, "unit": unit_path.split("/")[-1],
                     "unit_path": unit_path, "team": team, "grade": None, "active": True}}


async def tasks_for(db, cif, rule: str | None = None):
    async with db() as s:
        stmt = select(Task).where(Task.cif == cif)
        return (await s.exec(stmt.where(Task.rule == rule) if rule else stmt)).all()


async def owned_customer(apply_event, owner="rm01", **extra):
    cif = unique_cif()
    await apply_event(customer_event("customer.registered", cif, **extra))
    await apply_event(customer_event("customer.assigned", cif, owner=owner,
                                     **{k: v for k, v in extra.items() if k not in ("kind", "birthday")}))
    return cif


async def outbox_events(db, event_type: str, key: str) -> list[dict]:
    async with db() as s:
        rows = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == event_type,
                                                         OutboxMessage.key == key)
                               .order_by(OutboxMessage.seq))).all()
    return [r.payload["data"] for r in rows]


@pytest.fixture
async def bank(databases):
    engine = make_engine(await databases("tasks"))
    sessions = make_session_factory(engine)
    apply = event_applier("tasks", HANDLERS, sessions)

    async def customer(owner="rm01", tier=None, kind="retail", birthday=None) -> str:
        cif = unique_cif()
        await apply(customer_event("customer.registered", cif, kind=kind, birthday=birthday))
        await apply(customer_event("customer.assigned", cif, owner=owner))
        if tier:
            await apply(customer_event("customer.tier-changed", cif, kind=kind, from_tier="standard", to_tier=tier,
                                       owner=owner))
        return cif

    apply.customer, apply.sessions = customer, sessions
    yield apply
    await engine.dispose()


SCHEDULED = ("maintenance_visit", "maintenance_plan", "credit_rating_review", "monthly_report", "birthday",
             "post_loan_inspection")


async def scheduled(sessions, rule: str | None = None) -> list[Task]:
    async with sessions() as s:
        stmt = select(Task).where(Task.rule.in_([rule] if rule else SCHEDULED))
        return (await s.exec(stmt.order_by(Task.rule, Task.subject))).all()

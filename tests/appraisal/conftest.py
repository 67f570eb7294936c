"""An appraisal service on a fresh database: events go through the consumer's apply path (validation,
ledger insert as dedup, handler, one commit); the API is called in-process with tokens signed like the customer
service's. Events are built exactly in the shapes of shared/events.py."""
import json
import uuid

import pytest

from services.appraisal.config import Settings
from services.appraisal.handlers import HANDLERS
from services.appraisal.main import create_app
from shared.consumer import EventConsumer
from shared.events import parse_event
from tests.support import core_event, running_app, sessions_for
from tests.tasks.conftest import as_user  # noqa: F401 - the same signed-token headers fixture


@pytest.fixture(scope="module")
async def appraisal_url(databases):
    return await databases("appraisal")


@pytest.fixture(scope="module")
async def appraisal_db(appraisal_url):
    async with sessions_for(appraisal_url) as sessions:
        yield sessions


@pytest.fixture(scope="module")
async def apply_event(appraisal_db):
    """apply(event, consumer="appraisal"): as the consumer would (any consumer name: the ledger is the record)."""
    consumers: dict[str, EventConsumer] = {}

    async def apply(event: dict, consumer: str = "appraisal") -> None:
        if consumer not in consumers:
            consumers[consumer] = EventConsumer(name=consumer, topics=[], handlers=HANDLERS, settings=Settings(),
                                                session_factory=appraisal_db)
        envelope, data = parse_event(json.dumps(event).encode())
        await consumers[consumer].apply(HANDLERS[envelope.type], envelope, data)

    return apply


@pytest.fixture(scope="module")
async def appraisal_api(appraisal_url, jwt_keys):
    settings = Settings(database_url=appraisal_url, jwt_public_key_file=jwt_keys[1], outbox_relay_enabled=False,
                        revocation_consumer_enabled=False)
    async with running_app(create_app(settings)) as client:
        yield client


def our_event(event_type: str, subject: str, data: dict, business_date: str, *, at: str = "08:00:00",
              source: str = "customer-service") -> dict:
    return {"id": str(uuid.uuid4()), "type": event_type, "version": 1, "source": source,
            "occurred_at": f"{business_date}T{at}Z", "business_date": business_date, "subject": subject, "data": data}


def staff(username: str, roles: list[str], team: str | None, unit: str = "SB01", path: str = "HQ/BR01/SB01") -> dict:
    return our_event("staff.changed", username, {"username": username, "display_name": username, "roles": roles,
                                                 "unit": unit, "unit_path": path, "team": team, "grade": None,
                                                 "active": True}, "2026-09-01")


def assigned(cif: str, owner: str | None, business_date: str, role: str = "A", previous: str | None = None) -> dict:
    return our_event("customer.assigned", cif, {
        "customer_id": cif, "customer_ref": str(uuid.uuid5(uuid.NAMESPACE_OID, cif)), "role": role, "owner": owner,
        "owner_team": "T01", "unit": "SB01", "unit_path": "HQ/BR01/SB01", "previous_owner": previous,
        "effective_from": f"{business_date}T01:00:00+00:00", "reason": "transfer" if previous else "registered",
        "government_related": False}, business_date)


def deposit(cif: str, account: str, product: str, balance: str, business_date: str, at: str = "08:00:00") -> dict:
    event = core_event("deposit.changed", cif, {"account_id": account, "customer_id": cif, "product": product,
                                                "currency": "CNY", "amount": "0.00", "balance": balance},
                       business_date=business_date)
    event["occurred_at"] = f"{business_date}T{at}Z"
    return event


def closed(cif: str, account: str, business_date: str) -> dict:
    return core_event("deposit.closed", cif, {"account_id": account, "customer_id": cif, "closed_on": business_date},
                      business_date=business_date)


def disbursed(cif: str, loan: str, principal: str, business_date: str) -> dict:
    return core_event("loan.disbursed", cif, {
        "loan_id": loan, "customer_id": cif, "product": "working_capital", "principal": principal, "currency": "CNY",
        "disbursed_on": business_date, "maturity_date": "2027-10-10", "government_related": False,
        "classification": "normal"}, business_date=business_date)


def repaid(cif: str, loan: str, paid: str, outstanding: str, business_date: str) -> dict:
    return core_event("loan.repaid", cif, {"loan_id": loan, "customer_id": cif, "repaid_on": business_date,
                                           "principal_paid": paid, "interest_paid": "0.00",
                                           "outstanding_balance": outstanding}, business_date=business_date)


def won(cif: str, owner: str, business_date: str) -> dict:
    return our_event("customer.won", cif, {"customer_id": cif, "customer_ref": cif, "owner": owner,
                                           "source_channel": "referral"}, business_date)


def interaction(cif: str, rm: str, on: str) -> dict:
    return our_event("interaction.logged", cif, {"interaction_id": str(uuid.uuid4()), "customer_id": cif,
                                                 "customer_ref": cif, "rm": rm, "channel": "visit",
                                                 "occurred_on": on}, on)


def task_done(cif: str, assignee: str, on: str, on_time: bool) -> dict:
    return our_event("task.completed", cif, {"task_id": str(uuid.uuid4()), "customer_id": cif, "assignee": assignee,
                                             "due_date": on, "completed_on": on, "on_time": on_time}, on,
                     source="tasks-service")


async def read_card(api, headers_of, username: str, period: str, reader: str = "admin") -> dict:
    r = await api.get(f"/api/v1/appraisal/scorecards/{username}?period={period}", headers=headers_of(reader))
    assert r.status_code == 200, r.text
    return r.json()


def kpi_line(card: dict, code: str) -> dict:
    return next(k for k in card["kpis"] if k["code"] == code)


async def read_drilldown(api, headers_of, username: str, period: str, code: str, reader: str = "admin") -> dict:
    r = await api.get(f"/api/v1/appraisal/scorecards/{username}/kpis/{code}?period={period}", headers=headers_of(reader))
    assert r.status_code == 200, r.text
    return r.json()["drilldown"]

"""Customer and staff events applied a run at a time: a poll of tier changes re-ranks open tasks and
raises one review per change; assignments move open tasks to the new owner and re-date collections;
two events of one customer in one run apply in order; a person's last staff change wins."""
import json
import uuid
from datetime import date

import pytest
from sqlmodel import select

from services.tasks.handlers import HANDLERS
from services.tasks.models import CustomerBook, StaffEntry, Task
from shared.consumer import EventConsumer
from shared.events import parse_event
from shared.handlers import Item
from shared.settings import ServiceSettings
from tests.support import loan_due, unique_cif
from tests.tasks.conftest import customer_event, outbox_events, staff_event


@pytest.fixture
def poll(tasks_db):
    """Apply events as one polled batch (one commit, consecutive customer events one run)."""
    consumer = EventConsumer(name="tasks", topics=[], handlers=HANDLERS, settings=ServiceSettings(),
                             session_factory=tasks_db)

    async def apply(*events: dict) -> None:
        parsed = [parse_event(json.dumps(e).encode()) for e in events]
        await consumer.apply_batch([Item(None, HANDLERS[env.type], env, data) for env, data in parsed])
    return apply


def tier(cif: str, day: str, from_tier: str, to_tier: str, owner: str = "rm01") -> dict:
    return customer_event("customer.tier-changed", cif, day, kind="retail", from_tier=from_tier, to_tier=to_tier,
                          owner=owner)


def assigned(cif: str, owner: str | None, day: str = "2026-08-05", **extra) -> dict:
    return customer_event("customer.assigned", cif, day, owner=owner, **extra)


async def tasks_of(db, cif: str) -> dict[tuple, Task]:
    async with db() as s:
        rows = (await s.exec(select(Task).where(Task.cif == cif))).all()
    return {(t.rule, t.subject, t.anchor_date): t for t in rows}


async def book_of(db, cif: str) -> CustomerBook:
    async with db() as s:
        return await s.get(CustomerBook, cif)


async def test_a_run_of_tier_changes_reranks_open_tasks_and_raises_one_review_per_change(poll, tasks_db):
    first, second = unique_cif(), unique_cif()
    for cif in (first, second):
        await poll(customer_event("customer.registered", cif, kind="retail"), assigned(cif, "rm01"),
                   loan_due(cif, "L-" + cif, "2026-12-31", business_date="2026-08-03"))
    await poll(tier(first, "2026-09-24", "standard", "gold"), tier(second, "2026-09-24", "standard", "platinum"),
               tier(first, "2026-09-25", "gold", "private"))
    a = await tasks_of(tasks_db, first)
    # tiers rank private 0, platinum 1, gold 2: the collection carries the customer's last tier
    assert a[("loan_due", "L-" + first, date(2026, 12, 31))].tier_rank == 0
    reviews = sorted((k[2], t.due_date, t.params["from_tier"], t.params["to_tier"], t.tier_rank, t.assignee)
                     for k, t in a.items() if k[0] == "tier_review")
    # 5 business days each, Mid-Autumn (25 Sep) and National Day (1–7 Oct) not counted: 28, 29, 30 Sep, 8, 9 Oct;
    # the first review, raised while the customer was gold, is re-ranked by the second change
    assert reviews == [(date(2026, 9, 24), date(2026, 10, 9), "standard", "gold", 0, "rm01"),
                       (date(2026, 9, 25), date(2026, 10, 9), "gold", "private", 0, "rm01")]
    b = await tasks_of(tasks_db, second)
    assert {k[0]: t.tier_rank for k, t in b.items()} == {"loan_due": 1, "tier_review": 1}
    assert ((await book_of(tasks_db, first)).tier, (await book_of(tasks_db, second)).tier) == ("private", "platinum")
    created = [e["rule"] for e in await outbox_events(tasks_db, "task.created", first)]
    assert sorted(created) == ["loan_due", "tier_review", "tier_review"]


async def test_assignment_moves_open_tasks_to_the_new_owner_and_redates_collections(poll, tasks_db):
    cif = unique_cif()
    await poll(loan_due(cif, "L-Q", "2026-12-31", business_date="2026-08-03"),   # not yet known: the queue
               loan_due(cif, "L-D", "2030-12-31", business_date="2026-08-03"))
    queued = await tasks_of(tasks_db, cif)
    assert {(t.assignee, t.unit_path, t.due_date) for t in queued.values()} == {
        (None, "", date(2026, 12, 1)), (None, "", date(2030, 11, 29))}   # 30 days; 1 Dec 2030 is a Sunday
    await poll(customer_event("customer.registered", cif, "2026-08-04", government_related=True),
               assigned(cif, "rm02", government_related=True, owner_team="T02"))
    moved = await tasks_of(tasks_db, cif)
    # government-related: 60 days ahead, moved back to a business day (1 Nov 2026 is a Sunday)
    assert {(k[1], t.assignee, t.team, t.unit_path, t.due_date, t.params["lead_days"], t.params["government_note_key"])
            for k, t in moved.items()} == {
        ("L-Q", "rm02", "T02", "HQ/BR01/SB01", date(2026, 10, 30), 60, "government"),
        ("L-D", "rm02", "T02", "HQ/BR01/SB01", date(2030, 11, 1), 60, "government")}
    ref = customer_event("customer.registered", cif)["data"]["customer_ref"]
    assert {t.customer_ref for t in moved.values()} == {ref}
    book = await book_of(tasks_db, cif)
    assert (book.owner, book.owner_team, book.government_related, book.kind) == ("rm02", "T02", True, "corporate")


async def test_two_events_of_one_customer_in_one_run_apply_in_order(poll, tasks_db):
    cif = unique_cif()
    await poll(customer_event("customer.registered", cif, "2026-11-25", kind="retail", birthday="1980-12-04"),
               assigned(cif, "rm01", "2026-11-25"),
               tier(cif, "2026-11-25", "standard", "gold"),       # the review goes to rm01 …
               assigned(cif, "rm02", "2026-11-25", owner_team="T02"),   # … and follows the customer to rm02
               assigned(cif, "rm09", "2026-11-25", role="B"),      # B岗: no effect on tasks or the book
               customer_event("customer.contact-changed", cif, "2026-11-25", contact_name="王芳",
                              contact_role="财务总监", change="changed", owner="rm02"))
    tasks = await tasks_of(tasks_db, cif)
    assert {(k[0], t.assignee, t.team, t.tier_rank, t.due_date) for k, t in tasks.items()} == {
        ("tier_review", "rm02", "T02", 2, date(2026, 12, 2)),           # 5 business days
        ("contact_remarketing", "rm02", "T02", 2, date(2026, 12, 9))}   # 10 business days
    book = await book_of(tasks_db, cif)
    assert (book.owner, book.owner_team, book.tier, book.kind, book.birthday) == \
        ("rm02", "T02", "gold", "retail", date(1980, 12, 4))
    [created_review, created_visit] = await outbox_events(tasks_db, "task.created", cif)
    assert (created_review["rule"], created_review["assignee"]) == ("tier_review", "rm01")   # as it was then
    assert (created_visit["rule"], created_visit["assignee"]) == ("contact_remarketing", "rm02")


async def test_done_tasks_stay_with_whoever_did_them_when_the_customer_moves(poll, tasks_db):
    cif = unique_cif()
    await poll(customer_event("customer.registered", cif), assigned(cif, "rm01"),
               loan_due(cif, "L-1", "2030-12-31"), loan_due(cif, "L-2", "2031-06-30"))
    async with tasks_db() as s:
        done = (await s.exec(select(Task).where(Task.subject == "L-1", Task.cif == cif))).one()
        done.status = "done"
        s.add(done)
        await s.commit()
    await poll(assigned(cif, "rm02"))
    assert {k[1]: (t.assignee, t.status) for k, t in (await tasks_of(tasks_db, cif)).items()} == {
        "L-1": ("rm01", "done"), "L-2": ("rm02", "open")}


async def test_a_persons_last_staff_change_in_a_run_wins_and_routes_a_scoring_request(poll, tasks_db):
    name = f"lead-{uuid.uuid4().hex[:6]}"
    plan = uuid.uuid4().hex[:8]
    request = {"id": str(uuid.uuid4()), "type": "appraisal.scoring-requested", "version": 1,
               "source": "appraisal-service", "occurred_at": "2026-11-25T08:00:00Z", "business_date": "2026-11-25",
               "subject": name, "data": {"plan_id": plan, "evaluator": name, "subject": "rm02", "period": "2026-11",
                                         "items": ["responsibility"], "due_date": "2026-11-30"}}
    await poll(staff_event(name, ["rm"], "HQ/BR01/SB01", "T01"),
               staff_event(name, ["team_lead"], "HQ/BR02/SB05", "T05"), request)
    async with tasks_db() as s:
        staff = await s.get(StaffEntry, name)
        [task] = (await s.exec(select(Task).where(Task.subject == f"{plan}:rm02"))).all()
    assert (staff.roles, staff.unit_path, staff.team, staff.active) == (["team_lead"], "HQ/BR02/SB05", "T05", True)
    assert (task.assignee, task.team, task.unit_path, task.due_date) == \
        (name, "T05", "HQ/BR02/SB05", date(2026, 11, 30))

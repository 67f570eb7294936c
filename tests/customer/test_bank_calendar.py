"""The bank's own calendar in the customer service: a day the bank declares closed (or open) in the tasks
service reaches this service as calendar.changed, and the credit deadlines, complaint limits and the
late-entry window count business days with it."""
import json
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from services.customer.models import BusinessDayOverride, Complaint, CreditApplication, Customer
from services.customer.rules import (
    CREDIT_CHECKLIST,
    ControlRules,
    Overrides,
    business_days_after,
    business_days_late,
    entry_standing,
    is_business_day,
    moved_due,
)
from services.customer.service.complaints import file_complaint
from services.customer.service.credit_applications import open_application
from shared.events import InvalidEvent, parse_event
from tests.customer.helpers import count, create
from tests.support import principal

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
FRIDAY, WEDNESDAY, SATURDAY = date(2026, 11, 20), date(2026, 11, 25), date(2026, 11, 28)


def calendar_changed(day: date, business_day: bool | None, at: str = "2026-11-19T08:00:00Z") -> dict:
    return {"id": str(uuid.uuid4()), "type": "calendar.changed", "version": 1, "source": "tasks-service",
            "occurred_at": at, "business_date": "2026-11-19", "subject": day.isoformat(),
            "data": {"day": day.isoformat(), "business_day": business_day, "reason": "台风停业"}}


def test_the_banks_word_on_a_day_overrides_chinas_calendar_both_ways():
    assert is_business_day(WEDNESDAY, {}) and not is_business_day(WEDNESDAY, {WEDNESDAY: False})
    assert not is_business_day(SATURDAY, {}) and is_business_day(SATURDAY, {SATURDAY: True})
    assert is_business_day(date(2026, 10, 1), {}) is False   # National Day without any word of the bank
    # Friday + 5 business days: the 27th; the bank closed on Wednesday pushes it over the weekend
    assert business_days_after(FRIDAY, 5, {}) == date(2026, 11, 27)
    assert business_days_after(FRIDAY, 5, {WEDNESDAY: False}) == date(2026, 11, 30)
    # … and a Saturday opened pulls it back
    assert business_days_after(FRIDAY, 5, {WEDNESDAY: False, SATURDAY: True}) == date(2026, 11, 28)
    assert business_days_late(date(2026, 11, 24), date(2026, 11, 26), {}) == 2
    assert business_days_late(date(2026, 11, 24), date(2026, 11, 26), {WEDNESDAY: False}) == 1
    # Friday 20th logged on Wednesday 25th: 23, 24, 25 are three business days; closed 25th: two
    assert entry_standing(FRIDAY, date(2026, 11, 26), {}) == "pending_approval"
    assert entry_standing(FRIDAY, date(2026, 11, 26), {WEDNESDAY: False}) == "counted"


def test_a_running_deadline_keeps_its_number_of_business_days_when_a_day_inside_it_changes():
    closed: Overrides = {WEDNESDAY: False}
    assert moved_due(FRIDAY, date(2026, 11, 27), {}, closed) == date(2026, 11, 30)
    assert moved_due(FRIDAY, date(2026, 11, 30), closed, {}) == date(2026, 11, 27)        # withdrawn: back
    assert moved_due(FRIDAY, date(2026, 11, 24), {}, closed) == date(2026, 11, 24)        # the day lies after it


async def _ready_file_due(customer_db, cif_id: str, ready_on: date = FRIDAY) -> date:
    due = (await _ready_file(customer_db, cif_id, ready_on)).due_on
    assert due is not None, "a ready file has its deadline"
    return due


async def _ready_file(customer_db, cif_id: str, ready_on: date) -> CreditApplication:
    async with customer_db() as s:
        customer = await s.get(Customer, uuid.UUID(cif_id))
        application = await open_application(
            s, principal("rm01"), customer, product="working_capital", amount=Decimal("300000.00"), purpose="备货",
            investigators=["rm01"], documents=list(CREDIT_CHECKLIST), commitment=True, rules=ControlRules(),
            business_date=ready_on, now=NOW)
        await s.commit()
    assert application.status == "ready" and application.due_on is not None
    return application


async def _complaint_due(customer_db, cif_id: str, severity: str, filed_on: date = FRIDAY) -> date:
    return (await _complaint(customer_db, cif_id, severity, filed_on)).due_on


async def _complaint(customer_db, cif_id: str, severity: str, filed_on: date) -> Complaint:
    async with customer_db() as s:
        customer = await s.get(Customer, uuid.UUID(cif_id))
        complaint = await file_complaint(s, principal("rm01"), customer, channel="phone", category="fees",
                                         severity=severity, text="多收手续费", about=None, rules=ControlRules(),
                                         business_date=filed_on, now=NOW)
        await s.commit()
    return complaint


async def test_a_holiday_the_bank_declares_moves_credit_deadlines_and_complaint_limits_by_a_day(
        customer_api, customer_db, login, apply_event):
    cif_id = (await create(customer_api, await login("rm01"))).json()["id"]
    assert await _ready_file_due(customer_db, cif_id) == date(2026, 11, 27)        # 23, 24, 25, 26, 27
    assert await _complaint_due(customer_db, cif_id, "medium") == WEDNESDAY       # 23, 24, 25

    await apply_event(calendar_changed(WEDNESDAY, False))

    assert await _ready_file_due(customer_db, cif_id) == date(2026, 11, 30)        # 23, 24, 26, 27, 30
    assert await _complaint_due(customer_db, cif_id, "medium") == date(2026, 11, 26)
    assert await _complaint_due(customer_db, cif_id, "low") == date(2026, 11, 30)

    # withdrawn: the day follows China's calendar again
    await apply_event(calendar_changed(WEDNESDAY, None, at="2026-11-19T09:00:00Z"))
    assert await _ready_file_due(customer_db, cif_id) == date(2026, 11, 27)


async def test_calendar_changes_apply_once_and_an_older_change_delivered_late_leaves_the_newer(
        customer_db, apply_event):
    day = date(2026, 12, 2)
    opened = calendar_changed(day, True, at="2026-11-19T08:00:00Z")
    closed = calendar_changed(day, False, at="2026-11-19T10:00:00Z")
    await apply_event(closed)
    await apply_event(closed)    # redelivered
    await apply_event(opened)    # an older change, late
    assert await count(customer_db, BusinessDayOverride, BusinessDayOverride.day == day) == 1
    async with customer_db() as s:
        row = await s.get(BusinessDayOverride, day)
    assert (row.business_day, row.reason) == (False, "台风停业")


async def test_a_calendar_change_that_is_not_a_date_goes_to_the_dead_letters():
    bad = calendar_changed(WEDNESDAY, False)
    bad["data"]["day"] = "2026-02-30"
    with pytest.raises(InvalidEvent, match="data.day"):
        parse_event(json.dumps(bad))


async def test_files_ready_and_complaints_open_when_the_bank_closes_a_day_inside_their_window_move_with_it(
        customer_api, customer_db, login, apply_event):
    cif_id = (await create(customer_api, await login("rm01"))).json()["id"]
    friday, closed = date(2026, 12, 4), date(2026, 12, 9)   # a Wednesday, inside both windows below
    file = await _ready_file(customer_db, cif_id, friday)                                 # due Fri 11 Dec
    complaint = await _complaint(customer_db, cif_id, "medium", friday)                   # due Wed 9 Dec
    later = await _complaint(customer_db, cif_id, "high", closed)   # filed on the day: its window starts after it
    assert (file.due_on, complaint.due_on, later.due_on) == (date(2026, 12, 11), closed, date(2026, 12, 10))

    await apply_event(calendar_changed(closed, False, at="2026-12-03T08:00:00Z"))

    async with customer_db() as s:
        moved = (await s.get(CreditApplication, file.id), await s.get(Complaint, complaint.id),
                 await s.get(Complaint, later.id))
    assert [row.due_on for row in moved] == [date(2026, 12, 14), date(2026, 12, 10), date(2026, 12, 10)]

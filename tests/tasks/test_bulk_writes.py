"""shared.bulk.put_rows as the set-based handlers use it: increments add to the stored day, rows that
must be new refuse a stored key (so a raced task fails its batch instead of vanishing), skip skips, and
what travels in another form (money as text, a value shared by all rows once) is stored exactly."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from services.tasks.models import DepositDay
from shared.bulk import put_rows
from shared.db import one_of
from shared.outbox import OutboxMessage


def day_row(account: str, outflow: str, inflow: str = "0") -> dict:
    return {"account_id": account, "day": date(2026, 11, 20), "cif": "C-BULK", "opening_balance": Decimal("100.00"),
            "outflow": Decimal(outflow), "inflow": Decimal(inflow)}


async def test_added_columns_increase_the_stored_day_and_new_keys_are_inserted(tasks_db):
    async with tasks_db() as session:
        await put_rows(session, DepositDay, [day_row("A-BULK-1", "10.00")], ("account_id", "day"),
                       add=("outflow", "inflow"))
        await put_rows(session, DepositDay, [day_row("A-BULK-1", "2.50", "1.00"), day_row("A-BULK-2", "7.00")],
                       ("account_id", "day"), add=("outflow", "inflow"))
        await session.commit()
        rows = {r.account_id: (r.outflow, r.inflow) for r in (await session.exec(
            select(DepositDay).where(DepositDay.cif == "C-BULK"))).all()}
    assert rows == {"A-BULK-1": (Decimal("12.50"), Decimal("1.00")), "A-BULK-2": (Decimal("7.00"), Decimal("0.00"))}


async def test_rows_that_must_be_new_refuse_a_stored_key_and_skipping_keeps_the_first(tasks_db):
    async with tasks_db() as session:
        await put_rows(session, DepositDay, [day_row("A-BULK-3", "1.00")], skip_existing=False)
        await session.commit()
        await put_rows(session, DepositDay, [day_row("A-BULK-3", "9.00")])   # skipped: the key is stored
        await session.commit()
        with pytest.raises(IntegrityError):
            await put_rows(session, DepositDay, [day_row("A-BULK-3", "5.00")], skip_existing=False)
        await session.rollback()
        stored = (await session.exec(select(DepositDay).where(DepositDay.account_id == "A-BULK-3"))).one()
    assert stored.outflow == Decimal("1.00")


async def test_one_of_selects_exactly_the_rows_of_thousands_of_keys(tasks_db):
    async with tasks_db() as session:
        await put_rows(session, DepositDay, [day_row(f"A-ONEOF-{n}", "1.00") for n in range(50)])
        await session.commit()
        wanted = [f"A-ONEOF-{n}" for n in range(0, 50, 7)] + [f"A-MISSING-{n}" for n in range(1500)]
        found = (await session.exec(select(DepositDay.account_id).where(
            one_of(session, DepositDay.account_id, wanted)))).all()
    assert sorted(found) == sorted(f"A-ONEOF-{n}" for n in range(0, 50, 7))


async def test_values_shared_by_every_row_and_money_in_any_notation_are_stored_exactly(tasks_db):
    shared_day, opening = date(2026, 11, 21), Decimal("100.00")   # one object in every row: sent once
    amounts = [Decimal("0.10"), Decimal("1E+2"), Decimal("-5.5"), Decimal("123456789012.34")]
    rows = [{"account_id": f"A-SAME-{n}", "day": shared_day, "cif": "C-SAME", "opening_balance": opening,
             "outflow": amount, "inflow": Decimal(n)} for n, amount in enumerate(amounts)]
    payload = {"note": "同一个", "amount": "1.00"}
    events = [{"event_id": f"E-SAME-{n}", "topic": "t", "key": "k", "event_type": "x", "payload": payload,
               "created_at": datetime(2026, 11, 21, tzinfo=timezone.utc)} for n in range(3)]
    async with tasks_db() as session:
        await put_rows(session, DepositDay, rows)
        await put_rows(session, OutboxMessage, events)
        await session.commit()
        days = (await session.exec(select(DepositDay).where(DepositDay.cif == "C-SAME")
                                   .order_by(DepositDay.account_id))).all()
        stored = (await session.exec(select(OutboxMessage).where(OutboxMessage.key == "k"))).all()
    assert [(d.day, d.opening_balance, d.outflow, d.inflow) for d in days] == [
        (shared_day, opening, amount, Decimal(n)) for n, amount in enumerate(amounts)]
    assert sorted(m.event_id for m in stored) == ["E-SAME-0", "E-SAME-1", "E-SAME-2"]
    assert all(m.payload == payload for m in stored)

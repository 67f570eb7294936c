"""Keeping the live projections current, one event at a time (called by the handlers).

Every update is order-independent: a point (balance or owner on a day) is inserted between its
neighbours, and of two points on the same day the later fact (occurred_at, then event id) wins. So
events that arrive late, out of order or twice leave the same intervals a replay of the ledger builds.
"""
from datetime import datetime, timezone

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import ActivityFact, BalanceInterval, LoanFlow, OwnershipInterval
from shared.db import insert


def stamp(occurred_at: datetime, event_id: str) -> tuple:
    """Comparable (UTC naive time, event id): SQLite hands timestamps back without a zone."""
    if occurred_at.tzinfo:
        occurred_at = occurred_at.astimezone(timezone.utc).replace(tzinfo=None)
    return occurred_at, event_id


async def _place(session: AsyncSession, model, key: dict, day: int, values: dict, occurred_at: datetime,
                 event_id: str) -> None:
    same_key = [getattr(model, k) == v for k, v in key.items()]
    existing = (await session.exec(select(model).where(*same_key, model.from_day == day))).first()
    if existing is not None:
        if stamp(occurred_at, event_id) > stamp(existing.occurred_at, existing.event_id):
            for name, value in {**values, "occurred_at": occurred_at, "event_id": event_id}.items():
                setattr(existing, name, value)
            session.add(existing)
        return
    before = (await session.exec(select(model).where(*same_key, model.from_day < day)
                                 .order_by(model.from_day.desc()).limit(1))).first()
    after = (await session.exec(select(model.from_day).where(*same_key, model.from_day > day)
                                .order_by(model.from_day).limit(1))).first()
    session.add(model(**key, from_day=day, to_day=after, **values, occurred_at=occurred_at, event_id=event_id))
    if before is not None:
        before.to_day = day
        session.add(before)


async def place_balance(session: AsyncSession, *, account_id: str, kind: str, cif: str, product: str, day: int,
                        balance, occurred_at: datetime, event_id: str) -> None:
    await _place(session, BalanceInterval, {"account_id": account_id}, day,
                 {"kind": kind, "cif": cif, "product": product, "balance": balance}, occurred_at, event_id)


async def place_owner(session: AsyncSession, *, cif: str, role: str, owner: str | None, day: int,
                      occurred_at: datetime, event_id: str) -> None:
    await _place(session, OwnershipInterval, {"cif": cif, "role": role}, day, {"owner": owner}, occurred_at, event_id)


async def last_balance(session: AsyncSession, account_id: str) -> BalanceInterval | None:
    return (await session.exec(select(BalanceInterval).where(BalanceInterval.account_id == account_id)
                               .order_by(BalanceInterval.from_day.desc()).limit(1))).first()


async def credit_activity(session: AsyncSession, *, event_id: str, kind: str, username: str | None, day: int,
                          cif: str | None, on_time: bool | None = None) -> None:
    if not username:
        return  # nobody to credit (an unowned customer won, an unassigned task)
    await session.execute(insert(session, ActivityFact).values(
        event_id=event_id, kind=kind, username=username, day=day, cif=cif, on_time=on_time).on_conflict_do_nothing())


async def record_flow(session: AsyncSession, *, key: str, loan_id: str, cif: str, on, **amounts) -> None:
    """Upsert by fact key: a re-sent loan.due replaces the amounts it said before, never adds to them."""
    values = {name: str(amount) for name, amount in amounts.items()}
    stmt = insert(session, LoanFlow).values(event_id=key, loan_id=loan_id, cif=cif, day=on.toordinal(), amounts=values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["event_id"], set_={"amounts": values}))

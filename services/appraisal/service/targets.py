"""Targets broken down by month and by person (分解到月、分解到人): bank → unit → team → RM, with the
children's sum checked against the parent, and the RM's signed target contract (任务目标责任书) that
freezes their targets for the month."""
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import Target, TargetContract
from shared.errors import Problem

LEVELS = ("bank", "unit", "team", "rm")


async def break_down(session: AsyncSession, *, period: str, indicator: str, parent: tuple[str, str],
                     children: dict[str, Decimal], child_level: str, set_by: str) -> list[Target]:
    """Set the children's targets under one parent; they must add up to at least the parent's target
    (banks break targets down with headroom, never short)."""
    parent_row = await session.get(Target, (period, indicator, *parent))
    total = sum(children.values(), Decimal(0))
    if parent_row is not None and total < Decimal(str(parent_row.amount)):
        raise Problem(422, "targets_short_of_parent", field="children", children=total, parent=parent_row.amount)
    if child_level == "rm":
        signed = (await session.exec(select(TargetContract).where(TargetContract.period == period,
                                                                  TargetContract.username.in_(children)))).first()
        if signed is not None:
            raise Problem(409, "target_contract_signed", username=signed.username, period=period)
    rows = []
    for key, amount in children.items():
        row = await session.get(Target, (period, indicator, child_level, key)) or Target(
            period=period, indicator=indicator, level=child_level, key=key, amount=amount, set_by=set_by)
        row.amount, row.parent_level, row.parent_key, row.set_by = amount, parent[0], parent[1], set_by
        session.add(row)
        rows.append(row)
    return rows


async def set_target(session: AsyncSession, *, period: str, indicator: str, level: str, key: str, amount: Decimal,
                     set_by: str) -> Target:
    """A top-level target (the bank's, or a node whose parent is not set here)."""
    row = await session.get(Target, (period, indicator, level, key)) or Target(
        period=period, indicator=indicator, level=level, key=key, amount=amount, set_by=set_by)
    row.amount, row.set_by = amount, set_by
    session.add(row)
    return row


async def sign_contract(session: AsyncSession, *, username: str, period: str, signed_on: date) -> TargetContract:
    if await session.get(TargetContract, (username, period)):
        raise Problem(409, "target_contract_signed", username=username, period=period)
    rows = (await session.exec(select(Target).where(Target.period == period, Target.level == "rm",
                                                    Target.key == username))).all()
    contract = TargetContract(username=username, period=period, signed_on=signed_on,
                              targets={t.indicator: str(t.amount) for t in rows})
    session.add(contract)
    return contract


async def rm_targets(session: AsyncSession, period: str, usernames: list[str] | None) -> dict[str, dict[str, Decimal]]:
    query = select(Target).where(Target.period == period, Target.level == "rm")
    rows = (await session.exec(query if usernames is None else query.where(Target.key.in_(usernames)))).all()
    targets: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for t in rows:
        targets[t.key][t.indicator] = Decimal(str(t.amount))
    return targets

"""Intervals placed in memory, for a run of events: balances per account, owners per customer and role.

A `Timeline` holds the stored intervals of one key (an account; a customer's A岗 or B岗) that a run can
touch — from the interval just before the run's earliest day to the last — and places each event's
point on them: a point of a day already held is overwritten only by a later fact (rules.stamp); a new
point holds until the next point's day and ends the one before it. So events that arrive late, out of
order or twice leave the intervals a replay of the ledger builds. Only rows that change are kept for
writing back: a run costs one read and one upsert per table, whatever its size.
"""
from bisect import bisect_left
from collections import defaultdict
from datetime import datetime
from functools import cache

from sqlalchemy import select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.rules import stamp
from shared.bulk import put_rows
from shared.db import plain_rows


class Timeline:
    def __init__(self, key: dict, rows: list[dict]):
        self.key = key
        self.rows = {row["from_day"]: dict(row) for row in rows}
        self.days = sorted(self.rows)
        self.changed: set[int] = set()

    def last(self) -> dict | None:
        """The latest interval as the table holds it now."""
        return self.rows[self.days[-1]] if self.days else None

    def place(self, day: int, values: dict, occurred_at: datetime, event_id: str) -> None:
        existing = self.rows.get(day)
        if existing is not None:
            if stamp(occurred_at, event_id) > stamp(existing["occurred_at"], existing["event_id"]):
                existing.update(values, occurred_at=occurred_at, event_id=event_id)
                self.changed.add(day)
            return
        i = bisect_left(self.days, day)
        after = self.days[i] if i < len(self.days) else None
        self.rows[day] = {**self.key, "from_day": day, "to_day": after, **values, "occurred_at": occurred_at,
                          "event_id": event_id}
        self.days.insert(i, day)
        self.changed.add(day)
        if i > 0 and self.rows[self.days[i - 1]]["to_day"] != day:
            self.rows[self.days[i - 1]]["to_day"] = day
            self.changed.add(self.days[i - 1])

    def changed_rows(self) -> list[dict]:
        return [self.rows[day] for day in sorted(self.changed)]


@cache
def _around_sql(table: str, keys: tuple[str, ...]) -> str:
    """The intervals a run can touch, per key: from the last one before its earliest day to the end.
    unnest + a correlated max() keep it an index probe per key on PostgreSQL, whatever the history."""
    same = " AND ".join(f"{{0}}.{k} = r.{k}" for k in keys)
    return (f"SELECT t.* FROM unnest({', '.join(f'CAST(:{k} AS varchar[])' for k in keys)}, "
            f"CAST(:first_day AS integer[])) AS r({', '.join(keys)}, first_day) "
            f"JOIN {table} t ON {same.format('t')} AND t.from_day >= COALESCE("
            f"(SELECT max(p.from_day) FROM {table} p WHERE {same.format('p')} AND p.from_day < r.first_day), "
            f"r.first_day)")


async def load_timelines(session: AsyncSession, model, first_days: dict[tuple, int]) -> dict[tuple, Timeline]:
    """The timelines of `first_days` (key values in the model's key order -> the run's earliest day)."""
    table = model.__table__
    keys = tuple(c.name for c in table.primary_key.columns if c.name != "from_day")
    rows: dict[tuple, list[dict]] = defaultdict(list)
    if first_days and session.get_bind().dialect.name == "postgresql":
        params = {k: [key[i] for key in first_days] for i, k in enumerate(keys)}
        result = await session.execute(text(_around_sql(table.name, keys)),
                                       {**params, "first_day": list(first_days.values())})
    elif first_days:  # SQLite (embedded, small): every interval of those keys, a superset of the above
        result = await session.execute(select(table).where(table.c[keys[0]].in_({key[0] for key in first_days})))
    for row in (plain_rows(result) if first_days else ()):
        rows[tuple(row[k] for k in keys)].append(row)
    return {key: Timeline(dict(zip(keys, key, strict=True)), rows[key]) for key in first_days}


async def write_timelines(session: AsyncSession, model, timelines: dict[tuple, Timeline]) -> None:
    """Every changed interval in one upsert."""
    changed = [row for timeline in timelines.values() for row in timeline.changed_rows()]
    if changed:
        keys = tuple(c.name for c in model.__table__.primary_key.columns)
        await put_rows(session, model, changed, keys, tuple(c for c in changed[0] if c not in keys))

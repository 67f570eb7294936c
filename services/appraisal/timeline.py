"""Balance points of a run of events placed in memory: the set-based twin of projection._place.

A `Timeline` holds the stored intervals of one account that a run can touch — from the interval just
before the run's earliest day to the account's last — and places each event's point on them exactly
as `_place` would against the table: an existing point of that day is overwritten only by a later
fact, a new point takes the next point's day as its end and ends the one before it. Only rows that
actually change are kept for writing back, so a run costs one read and one upsert, whatever its size.
"""
from bisect import bisect_left
from datetime import datetime

from services.appraisal.projection import stamp

COLUMNS = ("account_id", "from_day", "to_day", "kind", "cif", "product", "balance", "occurred_at", "event_id")


class Timeline:
    def __init__(self, account_id: str, rows: list[dict]):
        self.account_id = account_id
        self.rows = {row["from_day"]: dict(row) for row in rows}
        self.days = sorted(self.rows)
        self.changed: set[int] = set()

    def last(self) -> dict | None:
        """The latest interval as the table holds it now (what projection.last_balance reads)."""
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
        self.rows[day] = {"account_id": self.account_id, "from_day": day, "to_day": after, **values,
                          "occurred_at": occurred_at, "event_id": event_id}
        self.days.insert(i, day)
        self.changed.add(day)
        if i > 0 and self.rows[self.days[i - 1]]["to_day"] != day:
            self.rows[self.days[i - 1]]["to_day"] = day
            self.changed.add(self.days[i - 1])

    def changed_rows(self) -> list[dict]:
        return [self.rows[day] for day in sorted(self.changed)]

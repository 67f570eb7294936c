"""Attribution (归属): each day's balance credited to whoever owned the customer that day.

Pure functions over intervals, no database: `balance_days_by_owner` is the overlap arithmetic
(balance interval ∩ ownership interval ∩ period) and `daily_average_by_owner` turns balance-days into
日均 with product coefficients and the A/B split (分润). Days are ordinals; intervals are half-open
[from_day, to_day) with to_day None meaning "still holds".
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from services.appraisal.rules import CENT


@dataclass(frozen=True)
class BalanceSpan:
    account_id: str
    kind: str          # deposit | loan
    cif: str
    product: str
    from_day: int
    to_day: int | None
    balance: Decimal


@dataclass(frozen=True)
class OwnerSpan:
    cif: str
    role: str          # A | B
    owner: str | None
    from_day: int
    to_day: int | None


# (owner, role, kind, product, cif) -> Σ balance × days owned in the period. Role "A" counts the
# A岗 manager's days alone, "A+B" the A岗 manager's days while a B岗 manager shares the customer:
# 分润 applies only on those, so a customer without a B manager is never under-credited.
BalanceDays = dict[tuple[str, str, str, str, str], Decimal]


def overlap_days(start: int, end: int, *spans: tuple[int, int | None]) -> int:
    """Days in [start, end) ∩ every [from, to) span; an open end runs to the period's end."""
    return max(0, min([end] + [to or end for _, to in spans]) - max([start] + [frm for frm, _ in spans]))


def balance_days_by_owner(balances: list[BalanceSpan], owners: list[OwnerSpan], start: int, end: int) -> BalanceDays:
    by_cif: dict[str, list[OwnerSpan]] = defaultdict(list)
    for span in owners:
        if span.owner:
            by_cif[span.cif].append(span)
    totals: BalanceDays = defaultdict(Decimal)
    for b in balances:
        if not b.balance:
            continue
        spans = by_cif.get(b.cif, ())
        backups = [x for x in spans if x.role == "B"]
        for o in spans:
            days = overlap_days(start, end, (b.from_day, b.to_day), (o.from_day, o.to_day))
            if not days or o.owner is None:   # by_cif holds owned spans only
                continue
            shared = 0 if o.role == "B" else sum(
                overlap_days(start, end, (b.from_day, b.to_day), (o.from_day, o.to_day), (x.from_day, x.to_day))
                for x in backups)
            if days - shared:
                totals[(o.owner, o.role, b.kind, b.product, b.cif)] += b.balance * (days - shared)
            if shared:
                totals[(o.owner, "A+B", b.kind, b.product, b.cif)] += b.balance * shared
    return dict(totals)


@dataclass
class DailyAverage:
    amount: Decimal                                   # weighted 日均, to the cent
    by_customer: dict[str, Decimal]                   # cif -> weighted contribution, to the cent
    balance_days: dict[str, Decimal]                  # cif -> raw balance-days (unweighted), for drill-down
    # cif -> per product and role: raw balance-days, coefficient, share, weighted balance-days — the figures
    # that add up to the KPI (Σ weighted ÷ days in the period)
    lines: dict[str, list[dict]]


def daily_average_by_owner(balance_days: BalanceDays, kind: str, days_in_period: int,
                           coefficients: dict[str, Decimal], split: dict[str, Decimal]) -> dict[str, DailyAverage]:
    """Σ balance-days × product coefficient × role share ÷ days in the period, per owner.

    Rounded once, at the end, per owner: rounding each day or customer first would lose cents the
    hand-computed fixture would catch."""
    exact: dict[str, Decimal] = defaultdict(Decimal)
    per_cif: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    raw: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    lines: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for (owner, role, k, product, cif), amount in sorted(balance_days.items()):
        if k != kind:
            continue
        share = Decimal(1) if role == "A" else split.get(role if role == "B" else "A", Decimal(0))
        coefficient = coefficients.get(product, Decimal(1))
        weighted = amount * coefficient * share
        exact[owner] += weighted
        per_cif[owner][cif] += weighted
        raw[owner][cif] += amount
        lines[owner][cif].append({"product": product, "role": role, "coefficient": str(coefficient),
                                  "share": str(share), "balance_days": str(amount),
                                  "weighted_balance_days": str(weighted)})
    return {owner: DailyAverage(amount=(total / days_in_period).quantize(CENT, ROUND_HALF_UP),
                                by_customer={c: (v / days_in_period).quantize(CENT, ROUND_HALF_UP)
                                             for c, v in sorted(per_cif[owner].items())},
                                balance_days=dict(sorted(raw[owner].items())), lines=dict(lines[owner]))
            for owner, total in exact.items()}


V = TypeVar("V")
Points = dict[tuple, dict[int, tuple[tuple, V]]]   # key -> day -> (tie_break, value)


def spans_from_points(points: Points[V]) -> list[tuple[tuple, int, int | None, V]]:
    """Points -> intervals: each key's point on day d holds until that key's next point.

    points[key][day] = (tie_break, value); of two facts on one day the later (by tie_break) was kept
    by the caller, so this is a function of the set of facts, not of their arrival order."""
    spans = []
    for key, by_day in points.items():
        days = sorted(by_day)
        for i, day in enumerate(days):
            spans.append((key, day, days[i + 1] if i + 1 < len(days) else None, by_day[day][1]))
    return spans


def keep_latest(points: Points[V], key: tuple, day: int, tie_break: tuple, value: V) -> None:
    current = points.setdefault(key, {}).get(day)
    if current is None or tie_break > current[0]:
        points[key][day] = (tie_break, value)

"""The facts of one period, read from the live projections: balance-days per owner, counted deeds,
new loans per originator. `replay.py` builds the same PeriodFacts from the ledger alone; everything
after this point (indicators, scores, grades) is one code path for both.

On PostgreSQL the balance-day overlap is summed in SQL (exact NUMERIC, and a bank-wide close never
moves millions of intervals into Python); SQLite keeps NUMERIC as binary floating point, so there the
intervals are loaded and summed with Decimal by attribution.balance_days_by_owner.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import ActivityFact, BalanceInterval, LoanFlow, LoanRecord, OwnershipInterval
from services.appraisal.service.attribution import BalanceDays, BalanceSpan, OwnerSpan, balance_days_by_owner


@dataclass
class Period:
    code: str                  # "YYYY-MM"
    start: int                 # ordinal of the first day
    end: int                   # ordinal of the first day of the next month (exclusive)
    year_start: int

    @classmethod
    def of(cls, code: "str | Period") -> "Period":
        if isinstance(code, Period):
            return code
        year, month = map(int, code.split("-"))
        first, after = date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)
        return cls(code, first.toordinal(), after.toordinal(), date(year, 1, 1).toordinal())

    def start_of_year(self) -> "Period":
        """The year's first day alone: the 年初 base that growth is measured against."""
        return Period(f"{date.fromordinal(self.year_start).year}-01-01", self.year_start, self.year_start + 1,
                      self.year_start)

    def a_year_earlier(self) -> "Period":
        year, month = map(int, self.code.split("-"))
        return Period.of(f"{year - 1}-{month:02d}")

    @property
    def end_date(self) -> date:
        return date.fromordinal(self.end)

    @property
    def days(self) -> int:
        return self.end - self.start


@dataclass
class PeriodFacts:
    period: Period
    balance_days: BalanceDays = field(default_factory=dict)
    activity: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    new_loans: dict[str, list[tuple[str, Decimal, str]]] = field(default_factory=lambda: defaultdict(list))
    # owner -> {"principal_due", "principal_paid", "interest_due", "interest_paid"} within the period
    loan_flows: dict[str, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))

    def people(self) -> set[str]:
        return {k[0] for k in self.balance_days} | set(self.activity) | set(self.new_loans) | set(self.loan_flows)


_OVERLAP_SQL = """
SELECT o.owner, o.role, b.kind, b.product, b.cif,
       SUM(b.balance * (LEAST(COALESCE(b.to_day, :end), COALESCE(o.to_day, :end), :end)
                        - GREATEST(b.from_day, o.from_day, :start)))
FROM balance_interval b JOIN ownership_interval o ON o.cif = b.cif
WHERE o.owner IS NOT NULL {only}
  AND b.from_day < :end AND COALESCE(b.to_day, :end) > :start
  AND o.from_day < :end AND COALESCE(o.to_day, :end) > :start
  AND b.from_day < COALESCE(o.to_day, :end) AND o.from_day < COALESCE(b.to_day, :end)
GROUP BY o.owner, o.role, b.kind, b.product, b.cif
"""


_SHARED_SQL = """
SELECT a.owner, b.kind, b.product, b.cif,
       SUM(b.balance * (LEAST(COALESCE(b.to_day, :end), COALESCE(a.to_day, :end), COALESCE(x.to_day, :end), :end)
                        - GREATEST(b.from_day, a.from_day, x.from_day, :start)))
FROM balance_interval b
JOIN ownership_interval a ON a.cif = b.cif AND a.role = 'A' AND a.owner IS NOT NULL
JOIN ownership_interval x ON x.cif = b.cif AND x.role = 'B' AND x.owner IS NOT NULL
WHERE LEAST(COALESCE(b.to_day, :end), COALESCE(a.to_day, :end), COALESCE(x.to_day, :end), :end)
      > GREATEST(b.from_day, a.from_day, x.from_day, :start) {only}
GROUP BY a.owner, b.kind, b.product, b.cif
"""


async def _balance_days_sql(session: AsyncSession, p: Period, usernames: list[str] | None) -> BalanceDays:
    """The overlap sums in SQL; days an A manager shares with a B manager move from "A" to "A+B"."""
    only = "AND {}.owner = ANY(:owners)" if usernames is not None else ""
    params = {"start": p.start, "end": p.end, **({"owners": usernames} if usernames is not None else {})}
    rows = (await session.execute(text(_OVERLAP_SQL.format(only=only.format("o"))), params)).all()
    days: BalanceDays = {(o, r, k, prod, c): Decimal(total) for o, r, k, prod, c, total in rows if total}
    for owner, kind, product, cif, shared in (await session.execute(text(_SHARED_SQL.format(
            only=only.format("a"))), params)).all():
        if shared:
            days[(owner, "A", kind, product, cif)] -= shared
            days[(owner, "A+B", kind, product, cif)] = Decimal(shared)
            if not days[(owner, "A", kind, product, cif)]:
                del days[(owner, "A", kind, product, cif)]
    return days


async def _balance_days(session: AsyncSession, p: Period, usernames: list[str] | None) -> BalanceDays:
    if session.get_bind().dialect.name == "postgresql":
        return await _balance_days_sql(session, p, usernames)
    owned = select(OwnershipInterval).where(OwnershipInterval.from_day < p.end, OwnershipInterval.owner.is_not(None))
    if usernames is not None:  # all spans of their customers: a B岗 manager's share comes out of the A岗's
        theirs = select(OwnershipInterval.cif).where(OwnershipInterval.owner.in_(usernames))
        owned = owned.where(OwnershipInterval.cif.in_(theirs))
    owners = [OwnerSpan(o.cif, o.role, o.owner, o.from_day, o.to_day) for o in (await session.exec(owned)).all()
              if (o.to_day or p.end) > p.start]
    cifs = list({o.cif for o in owners})
    balances = []
    for i in range(0, len(cifs), 500):
        rows = (await session.exec(select(BalanceInterval).where(BalanceInterval.cif.in_(cifs[i:i + 500]),
                                                                 BalanceInterval.from_day < p.end))).all()
        balances += [BalanceSpan(b.account_id, b.kind, b.cif, b.product, b.from_day, b.to_day, Decimal(str(b.balance)))
                     for b in rows]
    return {k: v for k, v in balance_days_by_owner(balances, owners, p.start, p.end).items()
            if usernames is None or k[0] in usernames}


async def live_facts(session: AsyncSession, period: "str | Period", usernames: list[str] | None = None) -> PeriodFacts:
    p = Period.of(period)
    facts = PeriodFacts(p, await _balance_days(session, p, usernames))
    deeds = select(ActivityFact).where(ActivityFact.day >= p.start, ActivityFact.day < p.end)
    if usernames is not None:
        deeds = deeds.where(ActivityFact.username.in_(usernames))
    for deed in (await session.exec(deeds)).all():
        count_deed(facts, deed.username, deed.kind, deed.on_time)
    loans = _credited_to_a_owner(select(OwnershipInterval.owner, LoanRecord.loan_id, LoanRecord.principal,
                                        LoanRecord.classification), LoanRecord, LoanRecord.disbursed_day,
                                 p.year_start, p.end, usernames)   # new loans: disbursed this year so far
    for owner, loan_id, principal, classification in (await session.exec(loans)).all():
        facts.new_loans[owner].append((loan_id, Decimal(str(principal)), classification))
    flows = _credited_to_a_owner(select(OwnershipInterval.owner, LoanFlow), LoanFlow, LoanFlow.day, p.start, p.end,
                                 usernames)
    for owner, flow in (await session.exec(flows)).all():
        add_flow(facts, owner, flow.amounts)
    return facts


def _credited_to_a_owner(query, table, day, start: int, end: int, usernames: list[str] | None):
    """Loan facts dated in [start, end), credited to the customer's A岗 owner on the fact's own day
    (joined when scoring, because customer and loan events travel on different topics)."""
    o = OwnershipInterval
    query = query.join(o, o.cif == table.cif).where(
        o.role == "A", o.owner.is_not(None), o.from_day <= day, (o.to_day.is_(None)) | (o.to_day > day),
        day >= start, day < end)
    return query if usernames is None else query.where(o.owner.in_(usernames))


def add_flow(facts: PeriodFacts, owner: str, amounts: dict[str, str]) -> None:
    for name, amount in amounts.items():
        facts.loan_flows[owner][name] += Decimal(amount)


def count_deed(facts: PeriodFacts, username: str, kind: str, on_time: bool | None) -> None:
    facts.activity[username][kind] += 1
    if kind == "task_completed" and on_time:
        facts.activity[username]["on_time"] += 1

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

from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import (
    ActivityFact,
    BalanceInterval,
    FeeIncome,
    FirstBusiness,
    LoanFlow,
    LoanRecord,
    OwnershipInterval,
    ServiceCheck,
    TaskRecord,
)
from services.appraisal.rules import categories_gained, late_and_open, period_bounds
from services.appraisal.service.attribution import BalanceDays, BalanceSpan, OwnerSpan, balance_days_by_owner


@dataclass
class Period:
    code: str                  # "YYYY-MM", "YYYY-Qn" or "YYYY" (rules.period_bounds)
    start: int                 # ordinal of the first day
    end: int                   # ordinal of the day after the last (exclusive)
    year_start: int

    @classmethod
    def of(cls, code: "str | Period") -> "Period":
        if isinstance(code, Period):
            return code
        first, after = period_bounds(code)
        return cls(code, first.toordinal(), after.toordinal(), date(first.year, 1, 1).toordinal())

    def start_of_year(self) -> "Period":
        """The year's first day alone: the 年初 base that growth is measured against."""
        return Period(f"{date.fromordinal(self.year_start).year}-01-01", self.year_start, self.year_start + 1,
                      self.year_start)

    def a_year_earlier(self) -> "Period":
        """The same month, quarter or year one year before."""
        return Period.of(f"{int(self.code[:4]) - 1}{self.code[4:]}")

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
    fees: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))   # owner -> net fee income
    categories_gained: dict[str, int] = field(default_factory=dict)                  # owner -> 交叉销售 growth
    # owner -> customers new in the period: won, or whose first account or loan opened (新增客户)
    new_customers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # RM -> customers of the complaints they were found responsible for; RM -> call-back satisfaction answers
    complaints: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    satisfaction: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def people(self) -> set[str]:
        return {k[0] for k in self.balance_days} | set(self.activity) | set(self.new_loans) | set(self.loan_flows) | \
            set(self.fees) | set(self.new_customers) | set(self.complaints) | set(self.satisfaction)


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


async def live_facts(session: AsyncSession, period: "str | Period", usernames: list[str] | None = None,
                     as_of: date | None = None) -> PeriodFacts:
    """`as_of`: the business date the card is read on (a task is late once its due date is behind it);
    None reads the period as if it were over."""
    p = Period.of(period)
    facts = PeriodFacts(p, await _balance_days(session, p, usernames))
    deeds = select(ActivityFact).where(ActivityFact.day >= p.start, ActivityFact.day < p.end)
    if usernames is not None:
        deeds = deeds.where(ActivityFact.username.in_(usernames))
    for deed in (await session.exec(deeds)).all():
        count_deed(facts, deed.username, deed.kind, deed.on_time, deed.cif)
    firsts = _credited_to_a_owner(select(OwnershipInterval.owner, FirstBusiness.cif), FirstBusiness, FirstBusiness.day,
                                  p.start, p.end, usernames)
    for owner, cif in (await session.exec(firsts)).all():
        facts.new_customers[owner].add(cif)
    loans = _credited_to_a_owner(select(OwnershipInterval.owner, LoanRecord.loan_id, LoanRecord.principal,
                                        LoanRecord.classification), LoanRecord, LoanRecord.disbursed_day,
                                 p.year_start, p.end, usernames)   # new loans: disbursed this year so far
    for owner, loan_id, principal, classification in (await session.exec(loans)).all():
        facts.new_loans[owner].append((loan_id, Decimal(str(principal)), classification))
    flows = _credited_to_a_owner(select(OwnershipInterval.owner, LoanFlow), LoanFlow, LoanFlow.day, p.start, p.end,
                                 usernames)
    for owner, flow in (await session.exec(flows)).all():
        add_flow(facts, owner, flow.amounts)
    fees = _credited_to_a_owner(select(OwnershipInterval.owner, FeeIncome.amount), FeeIncome, FeeIncome.day, p.start,
                                p.end, usernames)
    for owner, amount in (await session.exec(fees)).all():
        facts.fees[owner] += Decimal(str(amount))
    tasks = select(TaskRecord).where(TaskRecord.closed_day.is_(None), TaskRecord.due_day >= p.start,
                                     TaskRecord.due_day < p.end, TaskRecord.assignee.is_not(None))
    if usernames is not None:
        tasks = tasks.where(TaskRecord.assignee.in_(usernames))
    for task in (await session.exec(tasks)).all():
        count_late_open(facts, task.model_dump(), as_of)
    checks = select(ServiceCheck).where(ServiceCheck.day >= p.start, ServiceCheck.day < p.end)
    if usernames is not None:
        checks = checks.where(ServiceCheck.username.in_(usernames))
    for check in (await session.exec(checks)).all():
        count_service_check(facts, check.username, check.kind, check.cif, check.satisfaction)
    facts.categories_gained = await _categories_gained(session, p, usernames)
    return facts


def count_service_check(facts: PeriodFacts, username: str, kind: str, cif: str, satisfaction: int | None) -> None:
    if kind == "complaint":
        facts.complaints[username].append(cif)
    elif satisfaction is not None:
        facts.satisfaction[username].append(satisfaction)


async def _categories_gained(session: AsyncSession, p: Period, usernames: list[str] | None) -> dict[str, int]:
    o, b = OwnershipInterval, BalanceInterval
    last = p.end - 1
    owners = select(o.cif, o.owner).where(o.role == "A", o.owner.is_not(None), o.from_day <= last,
                                          (o.to_day.is_(None)) | (o.to_day > last))
    if usernames is not None:
        owners = owners.where(o.owner.in_(usernames))
    at_end = dict((await session.exec(owners)).all())
    spans: list = []
    cifs = list(at_end)
    for i in range(0, len(cifs), 500):
        spans += (await session.execute(sa_select(b.cif, b.product, b.from_day, b.to_day, b.balance).where(
            b.cif.in_(cifs[i:i + 500]), b.from_day <= last, (b.to_day.is_(None)) | (b.to_day > p.start - 1)))).all()
    return categories_gained(spans, at_end, p.start, p.end)


def count_late_open(facts: PeriodFacts, record: dict, as_of: date | None) -> None:
    if late_and_open(record, facts.period.start, facts.period.end, as_of.toordinal() if as_of else facts.period.end):
        facts.activity[record["assignee"]]["late_open"] += 1


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


def count_deed(facts: PeriodFacts, username: str, kind: str, on_time: bool | None, cif: str | None) -> None:
    facts.activity[username][kind] += 1
    if kind == "won" and cif:
        facts.new_customers[username].add(cif)
    if kind == "task_completed" and on_time:
        facts.activity[username]["on_time"] += 1

"""The customer service's rule decisions, as pure functions, and their default numbers (one place).

What a holding counts: an open deposit account its balance, a closed one nil, a loan its outstanding.

Customer tier (分层), computed from holdings, never typed. Retail: AUM = the sum of the current
balances of all open deposit accounts, wealth included; ≥ 500,000 gold, ≥ 1,000,000 platinum,
≥ 2,000,000 private. Corporate: one-to-one service when the month-to-date daily average (月日均) of
total deposits ≥ 100,000 or of total loan outstanding ≥ 500,000. The daily average is over the
calendar days from the 1st of the event's business month through its business date, each day counted
at its end-of-day balance (carried forward from the last day that changed; zero before any account or
loan existed). The bank sets the thresholds (settings TIER_*); TierRules holds their defaults.

And how far an RM's grade may reach (who may own which tier); which customers need a B岗; which
industry policy applies on a day; which interactions count when they are logged late; what a repayment
leaves overdue.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, get_args

NIL = Decimal("0.00")
CENT = Decimal("0.01")
KINDS = ("deposits", "loans")    # the two balances a customer's holdings add up to
# How high a customer's tier reaches, on one scale for both kinds (one-to-one ranks with platinum).
TIER_RANK = {"standard": 0, "gold": 1, "platinum": 2, "one_to_one": 2, "private": 3}
GRADE_MAX_RANK = {"junior": 1, "intermediate": 2, "senior": 3, "expert": 3}
# 个人优质客户: a retail customer from this tier up (the first AUM band) needs a B岗 manager (domain.md,
# Ownership); corporate customers need none.
BACKUP_REQUIRED_FROM = "gold"
Policy = Literal["maintain", "grow", "control"]    # 行业政策: maintain / grow / control-and-exit
INDUSTRY_POLICIES: tuple[Policy, ...] = get_args(Policy)
# Visits that count are real (issue 21 point 8): an interaction logged more than this many business days
# after it happened waits for the lead's approval before it counts (settings: interaction_late_entry_days).
LATE_ENTRY_BUSINESS_DAYS = 3


@dataclass(frozen=True)
class TierRules:
    gold: Decimal = Decimal("500000")
    platinum: Decimal = Decimal("1000000")
    private: Decimal = Decimal("2000000")
    corporate_deposits: Decimal = Decimal("100000")
    corporate_loans: Decimal = Decimal("500000")

    def retail(self, aum: Decimal) -> str:
        for tier, floor in (("private", self.private), ("platinum", self.platinum), ("gold", self.gold)):
            if aum >= floor:
                return tier
        return "standard"

    def corporate(self, avg_deposits: Decimal, avg_loans: Decimal) -> str:
        one_to_one = avg_deposits >= self.corporate_deposits or avg_loans >= self.corporate_loans
        return "one_to_one" if one_to_one else "standard"

    def tier(self, kind: str, basis: dict[str, Decimal]) -> str:
        """The tier a basis (retail_basis / corporate_basis) earns a customer of this kind."""
        if kind == "retail":
            return self.retail(basis["aum"])
        return self.corporate(basis["avg_deposits"], basis["avg_loans"])


def counted(kind: str, holding) -> Decimal:
    """What a holding adds to its customer's total: an open account its balance, a closed one nil,
    a loan its outstanding. `holding` is any object with the holding's columns as attributes."""
    if kind == "deposits":
        return holding.balance if holding.closed_on is None else NIL
    return holding.outstanding


def total(kind: str, holdings: Iterable) -> Decimal:
    return sum((counted(kind, h) for h in holdings), NIL)


def retail_basis(aum: Decimal) -> dict[str, Decimal]:
    return {"aum": Decimal(aum).quantize(CENT)}


def corporate_basis(days: dict[str, dict[date, Decimal]], as_of: date) -> dict[str, Decimal]:
    """days: kind -> business date -> end-of-day total, for the days that total changed."""
    return {f"avg_{kind}": month_to_date_average(days.get(kind, {}), as_of) for kind in KINDS}


def month_to_date_average(changes: dict[date, Decimal], as_of: date) -> Decimal:
    """月日均: mean end-of-day balance over the 1st of as_of's month .. as_of.

    `changes` maps the days the balance changed to that day's end-of-day balance; days between carry
    the last balance forward, days before the first change count as zero."""
    start = as_of.replace(day=1)
    balance = NIL
    for day in sorted(d for d in changes if d < start):
        balance = changes[day]
    summed, day = NIL, start
    while day <= as_of:
        balance = changes.get(day, balance)
        summed += balance
        day += timedelta(days=1)
    return (summed / ((as_of - start).days + 1)).quantize(CENT)


def grade_allows(grade: str | None, tier: str) -> bool:
    """An RM may own a customer whose tier is within their grade (an ungraded RM: standard only)."""
    return TIER_RANK.get(tier, 0) <= GRADE_MAX_RANK.get(grade or "", 0)


def outstanding_beside_overdue(outstanding: Decimal, overdue_principal: Decimal) -> Decimal:
    """A loan never shows less outstanding than its overdue principal: one first seen in `loan.overdue`
    (disbursed before the system started) owes at least what is overdue."""
    return max(outstanding, overdue_principal)


def overdue_after_repayment(overdue_principal: Decimal, overdue_interest: Decimal, principal_paid: Decimal,
                            interest_paid: Decimal, outstanding: Decimal) -> tuple[Decimal, Decimal]:
    """(principal, interest) still overdue after a repayment: it covers the overdue amounts first; a
    loan paid off owes nothing overdue, and never more overdue principal than is outstanding. When both
    come to nil, the loan is no longer overdue (its days overdue end too)."""
    if outstanding <= 0:
        return NIL, NIL
    return (min(max(NIL, overdue_principal - principal_paid), outstanding),
            max(NIL, overdue_interest - interest_paid))


def needs_backup(kind: str, tier: str) -> bool:
    """A retail premium customer must have a B岗 manager (mutual supervision)."""
    return kind == "retail" and TIER_RANK.get(tier, 0) >= TIER_RANK[BACKUP_REQUIRED_FROM]


def backup_tiers() -> tuple[str, ...]:
    """The retail tiers that need a B岗 (for the database's side of needs_backup)."""
    return tuple(tier for tier in TIER_RANK if needs_backup("retail", tier))


def policies_on(rows: Iterable, day: date) -> dict[str, Policy]:
    """industry -> the policy in effect on `day`: of the rows (industry, policy, effective_from,
    effective_to — its last day, open-ended when None) covering the day, the one that started last."""
    found: dict[str, Policy] = {}
    for row in sorted(rows, key=lambda r: r.effective_from):
        if row.effective_from <= day and (row.effective_to is None or day <= row.effective_to):
            found[row.industry] = row.policy
    return found


def entry_standing(occurred_on: date, today: date, is_business_day: Callable[[date], bool],
                   window: int = LATE_ENTRY_BUSINESS_DAYS) -> str:
    """Whether an interaction logged on `today` for `occurred_on` counts at once ("counted"), waits for
    the lead's approval ("pending_approval": more than `window` business days back) or is refused
    ("future"). Counting stops past the window, so an entry years back costs no more than one a week back."""
    if occurred_on > today:
        return "future"
    back, day = 0, occurred_on
    while day < today and back <= window:
        day += timedelta(days=1)
        back += is_business_day(day)
    return "counted" if back <= window else "pending_approval"

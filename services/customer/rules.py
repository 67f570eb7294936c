"""The customer service's rule decisions, as pure functions, and their default numbers (one place).

What a holding counts: an open deposit account its balance, a closed one nil, a loan its outstanding.

Customer tier (分层), computed from holdings, never typed. Retail: AUM = the sum of the current
balances of all open deposit accounts, wealth included; ≥ 500,000 gold, ≥ 1,000,000 platinum,
≥ 2,000,000 private. Corporate: one-to-one service when the month-to-date daily average (月日均) of
total deposits ≥ 100,000 or of total loan outstanding ≥ 500,000. The daily average is over the
calendar days from the 1st of the event's business month through its business date, each day counted
at its end-of-day balance (carried forward from the last day that changed; zero before any account or
loan existed). The bank sets the thresholds (settings TIER_*); TierRules holds their defaults.

And how far an RM's grade may reach (who may own which tier).
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

NIL = Decimal("0.00")
CENT = Decimal("0.01")
KINDS = ("deposits", "loans")    # the two balances a customer's holdings add up to
# How high a customer's tier reaches, on one scale for both kinds (one-to-one ranks with platinum).
TIER_RANK = {"standard": 0, "gold": 1, "platinum": 2, "one_to_one": 2, "private": 3}
GRADE_MAX_RANK = {"junior": 1, "intermediate": 2, "senior": 3, "expert": 3}


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


# Marketing results (登记每日营销业绩): the core-banking event that confirms each category (None: no event
# can, so the lead's check does), how many days after the result's date that event may come, and when
# an unconfirmed result is listed for the lead.
MARKETING_CONFIRMED_BY: dict[str, str | None] = {
    "deposit": "deposit.opened", "wealth": "deposit.opened", "fee": "fee.posted", "loan": "loan.disbursed",
    "card": None, "insurance": None, "fund": None,
}
MARKETING_CONFIRM_WITHIN_DAYS = 10
MARKETING_STALE_AFTER_DAYS = 30


def confirms(category: str, result_date: date, event_type: str, event_date: date,
             within_days: int = MARKETING_CONFIRM_WITHIN_DAYS) -> bool:
    """A core-banking fact confirms a result of its category dated on or before it, within the window."""
    return (MARKETING_CONFIRMED_BY.get(category) == event_type
            and result_date <= event_date <= result_date + timedelta(days=within_days))


def stale_before(as_of: date, after_days: int = MARKETING_STALE_AFTER_DAYS) -> date:
    """Results dated before this day and still unconfirmed are listed for the lead."""
    return as_of - timedelta(days=after_days)

"""Customer tier (分层): computed from holdings, never typed; and how far an RM's grade may reach.

Retail: AUM = the sum of the current balances of all open deposit accounts, wealth included;
≥ 500,000 gold, ≥ 1,000,000 platinum, ≥ 2,000,000 private. Corporate: one-to-one service when the
month-to-date daily average (月日均) of total deposits ≥ 100,000 or of total loan outstanding
≥ 500,000. The daily average is over the calendar days from the 1st of the event's business month
through its business date, each day counted at its end-of-day balance (carried forward from the last
day that changed; zero before any account or loan existed). Thresholds are settings (TIER_*).
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

RETAIL_TIERS = ("standard", "gold", "platinum", "private")
CORPORATE_TIERS = ("standard", "one_to_one")
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


def month_to_date_average(changes: list[tuple[date, Decimal]], as_of: date) -> Decimal:
    """月日均: mean end-of-day balance over the 1st of as_of's month .. as_of.

    `changes` are (day, end-of-day balance) for the days the balance changed, in any order; days between
    carry the last balance forward, days before the first change count as zero."""
    start = as_of.replace(day=1)
    ordered = sorted(c for c in changes if c[0] <= as_of)
    balance = Decimal(0)
    for day, value in ordered:
        if day < start:
            balance = value
    by_day = {day: value for day, value in ordered if day >= start}
    total, day = Decimal(0), start
    while day <= as_of:
        balance = by_day.get(day, balance)
        total += balance
        day += timedelta(days=1)
    return (total / ((as_of - start).days + 1)).quantize(Decimal("0.01"))


def grade_allows(grade: str | None, tier: str) -> bool:
    """An RM may own a customer whose tier is within their grade (an ungraded RM: standard only)."""
    return TIER_RANK.get(tier, 0) <= GRADE_MAX_RANK.get(grade or "", 0)

"""The customer service's rule decisions, as pure functions, and their default numbers (one place).

What a holding counts: an open deposit account its balance, a closed one nil, a loan its outstanding.

Customer tier (分层), computed from holdings, never typed. Retail: AUM = the sum of the current
balances of all open deposit accounts, wealth included; ≥ 500,000 gold, ≥ 1,000,000 platinum,
≥ 2,000,000 private. Corporate: one-to-one service when the month-to-date daily average (月日均) of
total deposits ≥ 100,000 or of total loan outstanding ≥ 500,000. The daily average is over the
calendar days from the 1st of the event's business month through its business date, each day counted
at its end-of-day balance (carried forward from the last day that changed; zero before any account or
loan existed). The bank sets the thresholds (settings TIER_*); TierRules holds their defaults.

And who may own which tier and which customers need a B岗 (by shared.tiers: the tasks service's lead
alerts decide by the same rule); which industry policy applies on a day; which interactions count when
they are logged late; what a repayment leaves overdue.
"""
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, get_args

import holidays

from shared.tiers import TIER_HEIGHT, grade_reach, needs_backup, tier_height

NIL = Decimal("0.00")
CENT = Decimal("0.01")
KINDS = ("deposits", "loans")    # the two balances a customer's holdings add up to
# 通融权限: the fee concession (waived or discounted fees, CNY per case) a member of staff may grant on their
# own authority, growing with grade (domain.md, Conduct); the admin may set a person's own. It is internal:
# no customer-facing view and no event carries it. The bank sets the table (settings discretionary_authority).
DISCRETIONARY_AUTHORITY = {"junior": Decimal("1000.00"), "intermediate": Decimal("5000.00"),
                           "senior": Decimal("20000.00"), "expert": Decimal("50000.00")}


def discretionary_authority(grade: str | None, granted: Decimal | None,
                            table: dict[str, Decimal] = DISCRETIONARY_AUTHORITY) -> Decimal:
    """A person's 通融权限: what the admin granted them, else their grade's (none without a grade)."""
    if granted is not None:
        return Decimal(granted).quantize(CENT)
    return Decimal(table.get(grade or "", NIL)).quantize(CENT)
Policy = Literal["maintain", "grow", "control"]    # 行业政策: maintain / grow / control-and-exit
INDUSTRY_POLICIES: tuple[Policy, ...] = get_args(Policy)
# Visits that count are real (issue 21 point 8): an interaction logged more than this many business days
# after it happened waits for the lead's approval before it counts (settings: interaction_late_entry_days).
LATE_ENTRY_BUSINESS_DAYS = 3
Overrides = Mapping[date, bool]   # the bank's word on a day (is_business_day): True open, False closed


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
    return tier_height(tier) <= (grade_reach(grade) or 0)


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


def backup_tiers() -> tuple[str, ...]:
    """The retail tiers that need a B岗 (for the database's side of needs_backup)."""
    return tuple(tier for tier in TIER_HEIGHT if needs_backup("retail", tier))


def policies_on(rows: Iterable, day: date) -> dict[str, Policy]:
    """industry -> the policy in effect on `day`: of the rows (industry, policy, effective_from,
    effective_to — its last day, open-ended when None) covering the day, the one that started last."""
    found: dict[str, Policy] = {}
    for row in sorted(rows, key=lambda r: r.effective_from):
        if row.effective_from <= day and (row.effective_to is None or day <= row.effective_to):
            found[row.industry] = row.policy
    return found


def entry_standing(occurred_on: date, today: date, overrides: Overrides,
                   window: int = LATE_ENTRY_BUSINESS_DAYS) -> str:
    """Whether an interaction logged on `today` for `occurred_on` counts at once ("counted"), waits for
    the lead's approval ("pending_approval": more than `window` business days back) or is refused
    ("future"). Counting stops past the window, so an entry years back costs no more than one a week back."""
    if occurred_on > today:
        return "future"
    back, day = 0, occurred_on
    while day < today and back <= window:
        day += timedelta(days=1)
        back += is_business_day(day, overrides)
    return "counted" if back <= window else "pending_approval"


# --- The controls the bank documents demand: credit files (限时服务, two investigators for large loans,
# 审贷分离, 三级审批), complaint handling limits (投诉), and what makes a deadline late. Business days are
# China's working days, then the bank's own word on a day (set in the tasks service, kept here as the
# business_day_override projection of calendar.changed and passed in as `overrides`).
CREDIT_CHECKLIST = ("application_form", "business_license", "financial_statements", "collateral_documents",
                    "investigation_report")
APPROVAL_LEVELS = (1, 2, 3)           # 三级审批: each level records approve or decline
SEVERITIES = ("high", "medium", "low")
DEPARTURE_LOOKBACK_DAYS = 365   # a departure audit covers the leaver's last year unless the auditor says otherwise
BACKDATING_GRACE_DAYS = 1       # a visit logged the next day is normal; older entries are listed as backdated


@dataclass(frozen=True)
class ControlRules:
    two_investigators_from: Decimal = Decimal("1000000")   # 大额: two investigators or more at/above this
    submit_within_days: int = 5                            # 限时服务: business days from ready to review
    complaint_days_high: int = 1                           # 投诉 handling limits by severity, business days
    complaint_days_medium: int = 3
    complaint_days_low: int = 5
    hosting_budget: Decimal = Decimal("2000")              # per occasion; above it the report needs approval
    callback_rate: Decimal = Decimal("0.05")               # 回访: share of each RM's customers drawn a month
    callback_minimum: int = 2                              # … and at least this many

    def complaint_days(self, severity: str) -> int:
        return getattr(self, f"complaint_days_{severity}")


SUBMIT_WINDOW = (3, 5)   # the bank may set the credit deadline anywhere in 3–5 business days (seed)


_CHINA = holidays.China()   # expands years lazily as dates are asked about


def is_business_day(day: date, overrides: Overrides) -> bool:
    """The bank's word on `day` when it has one, else China's working days from the `holidays` package
    (weekends and holidays off, 调休 Saturdays on): the credit deadlines, complaint limits, the late-entry
    window."""
    if day in overrides:
        return overrides[day]
    return _CHINA.is_working_day(day)


def business_days_after(day: date, n: int, overrides: Overrides) -> date:
    """The n-th business day after `day`: a file ready on the eve of National Day is due after it."""
    while n > 0:
        day += timedelta(days=1)
        n -= is_business_day(day, overrides)
    return day


def business_days_late(due: date, today: date, overrides: Overrides) -> int:
    """How many business days after `due` `today` is (0 on or before it): the escalation level."""
    return sum(1 for k in range(1, (today - due).days + 1) if is_business_day(due + timedelta(days=k), overrides))


def moved_due(start: date, due: date, before: Overrides, after: Overrides) -> date:
    """A running deadline when the bank's word on a day changes: the same number of business days after
    `start` as it was given, counted on the new calendar (a day closed inside it pushes it one day on)."""
    return business_days_after(start, business_days_late(start, due, before), after)


def investigators_needed(rules: ControlRules, amount: Decimal) -> int:
    return 2 if amount >= rules.two_investigators_from else 1


def checklist_complete(received: Iterable[str]) -> bool:
    return set(CREDIT_CHECKLIST) <= set(received)


def may_review(reviewer: str, marketing_rm: str, investigators: Iterable[str], co_signers: Iterable[str]) -> bool:
    """审贷分离: whoever marketed, investigated or co-signed the file never records its review."""
    return reviewer != marketing_rm and reviewer not in set(investigators) and reviewer not in set(co_signers)


def complaint_due(rules: ControlRules, severity: str, filed_on: date, overrides: Overrides) -> date:
    return business_days_after(filed_on, rules.complaint_days(severity), overrides)


def backdated(occurred_on: date, logged_on: date) -> bool:
    return (logged_on - occurred_on).days > BACKDATING_GRACE_DAYS


def qualified_on(qualifications: Iterable, day: date) -> bool:
    """岗位资质认证: some exam passed on or before `day` and not yet expired on it."""
    return any(q.passed_on <= day <= q.expires_on for q in qualifications)


def callback_sample(rules: ControlRules, cifs: Iterable[str], rm: str, month: date) -> list[str]:
    """The customers of one RM drawn for the month's independent call-back: rate of the book, at least
    the minimum (all of a smaller book). Drawn by a hash of (month, RM, CIF): spread evenly, unknown to
    the RM in advance, and the same on a re-run."""
    book = sorted(set(cifs))
    n = min(len(book), max(rules.callback_minimum, math.ceil(len(book) * rules.callback_rate)))
    ranked = sorted(book, key=lambda cif: hashlib.sha256(f"{month:%Y-%m}|{rm}|{cif}".encode()).hexdigest())
    return sorted(ranked[:n])
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

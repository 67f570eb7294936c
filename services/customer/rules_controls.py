"""The controls the bank documents demand, as pure decisions and their default numbers (one place):
credit files (限时服务, two investigators for large loans, 审贷分离, 三级审批), complaint handling limits
(投诉), and what makes a deadline late. Business days are China's working days (public holidays off,
调休 Saturdays on); the bank's own calendar edits live in the tasks service, which raises the tasks.
"""
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import holidays

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


_CHINA = holidays.China()


def is_business_day(day: date) -> bool:
    return _CHINA.is_working_day(day)


def business_days_after(day: date, n: int, working: Callable[[date], bool] = is_business_day) -> date:
    """The n-th business day after `day`: a file ready on the eve of National Day is due after it."""
    while n > 0:
        day += timedelta(days=1)
        n -= working(day)
    return day


def business_days_late(due: date, today: date, working: Callable[[date], bool] = is_business_day) -> int:
    """How many business days after `due` `today` is (0 on or before it): the escalation level."""
    return sum(1 for k in range(1, (today - due).days + 1) if working(due + timedelta(days=k)))


def investigators_needed(rules: ControlRules, amount: Decimal) -> int:
    return 2 if amount >= rules.two_investigators_from else 1


def checklist_complete(received: Iterable[str]) -> bool:
    return set(CREDIT_CHECKLIST) <= set(received)


def may_review(reviewer: str, marketing_rm: str, investigators: Iterable[str], co_signers: Iterable[str]) -> bool:
    """审贷分离: whoever marketed, investigated or co-signed the file never records its review."""
    return reviewer != marketing_rm and reviewer not in set(investigators) and reviewer not in set(co_signers)


def complaint_due(rules: ControlRules, severity: str, filed_on: date) -> date:
    return business_days_after(filed_on, rules.complaint_days(severity))


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

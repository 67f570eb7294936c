"""Task rules: what a banking fact or a schedule asks of the RM and by when.

Rules are data. DEFAULTS holds the domain's numbers and seeds the `task_rule` table; an admin changes
a rule's numbers through the API, which adds a new version. A task records the rule and the version
that made it, so "why 30 days?" has an answer even after the numbers change.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal, get_args

from sqlmodel import select

from services.tasks.models import RuleSetting
from services.tasks.service.calendar import BusinessCalendar
from shared.tiers import grade_reach, needs_backup, tier_height


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    priority: int                     # 1 urgent, 2 high, 3 normal
    params: dict = field(default_factory=dict)
    version: int = 1

    def __getitem__(self, key: str):
        return self.params[key]


# name: (kind, priority, default numbers) — the "Daily tasks" table of the domain, row by row.
DEFAULTS: dict[str, tuple[str, int, dict]] = {
    # late_business_days: what a task raised past its date (late events) still gets, so it is not born late
    "loan_due": ("collection", 2, {"lead_days": 30, "lead_days_government": 60, "late_business_days": 1}),
    "loan_overdue": ("overdue_collection", 1, {"copy_risk_manager": 1}),
    "loan_downgraded": ("risk_review", 2, {"business_days": 3}),
    "control_industry_loan": ("risk_review", 2, {"business_days": 3}),   # 行业政策: control-and-exit (seed)
    "post_loan_inspection": ("post_loan_inspection", 2, {"first_within_days": 15, "repeat_months_corporate": 3,
                                                         "late_business_days": 1}),
    "large_outflow": ("retention_call", 1, {"amount": 500000, "share_of_balance_pct": 30, "share_floor_amount": 50000,
                                            "business_days": 1}),
    "inflow_follow_up": ("follow_up", 2, {"amount": 500000, "business_days": 1}),
    "time_deposit_maturity": ("maturity_call", 2, {"lead_days": 7, "late_business_days": 1}),
    "first_business_thanks": ("thank_you", 1, {"hours": 24}),   # 新客户认同计划: within 24 clock hours (seed)
    "tier_review": ("relationship_review", 2, {"business_days": 5}),
    "contact_remarketing": ("remarketing_visit", 3, {"business_days": 10}),
    # the lead's controls: a retail premium customer without a B岗 (seed), a tier above the owner's grade
    "b_manager_missing": ("b_manager_alert", 2, {"business_days": 3}),
    "tier_above_grade": ("grade_cap_review", 2, {"business_days": 5}),   # how high a grade reaches: shared.tiers
    # schedules
    # how often each band is contacted (the bank's setting; a higher band never less often than a lower one)
    "maintenance_visit": ("maintenance_visit", 3, {"months_gold": 1, "months_platinum": 1, "months_private": 1,
                                                   "months_one_to_one": 1}),
    # the cumulative plans (seed): monthly for ≥ 500k, quarterly for ≥ 1M, half-yearly for ≥ 2M
    "maintenance_plan": ("maintenance_plan", 2, {"months_gold": 1, "months_platinum": 3, "months_private": 6,
                                                 "business_days": 5}),
    "credit_rating_review": ("credit_rating_review", 2, {"month": 3, "day": 31}),
    "monthly_report": ("monthly_report", 2, {"day": 5}),
    "birthday": ("birthday_greeting", 3, {"lead_days": 3}),
    # people
    "qualitative_scoring": ("qualitative_scoring", 2, {}),   # appraisal asks an evaluator to score an RM
    # the RM's day
    "missed_appointment": ("follow_up", 2, {"business_days": 1}),   # a booked visit with no interaction that day
}


# The range (inclusive) each number may take. Outside it a number does harm, not just odd tasks: a lead of
# 1e308 days dead-letters every loan.due, 0 months between inspections never ends a schedule's loop.
PARAM_RANGES: dict[str, tuple[int, int]] = {
    "lead_days": (0, 366), "lead_days_government": (0, 366), "business_days": (0, 60),
    "first_within_days": (1, 366), "repeat_months_corporate": (1, 60), "months_gold": (1, 60),
    "months_platinum": (1, 60), "months_private": (1, 60), "month": (1, 12), "day": (1, 31),
    "copy_risk_manager": (0, 1), "share_of_balance_pct": (0, 100), "amount": (0, 10**15),
}
WHOLE_NUMBERS_ONLY = frozenset(PARAM_RANGES) - {"amount"}


def param_in_range(param: str, value: float) -> bool:
    low, high = PARAM_RANGES[param]
    return low <= value <= high and (param not in WHOLE_NUMBERS_ONLY or float(value).is_integer())


def impossible_day(name: str, params: dict) -> bool:
    """A yearly date (month, day) must exist every year; a monthly day must exist every month."""
    if name == "monthly_report":
        return params["day"] > 28
    if "month" in params and "day" in params:
        try:
            date(2001, int(params["month"]), int(params["day"]))   # not a leap year: no 29 February
        except ValueError:
            return True
    return False


# A lead's own task: no numbers to tune, so not among the admin's rules.
ADHOC = Rule("adhoc", "adhoc", 2)


def default_rule(name: str) -> Rule:
    kind, priority, params = DEFAULTS[name]
    return Rule(name, kind, priority, dict(params))


async def load_rule(session, name: str) -> Rule:
    """The version in force: the newest active row, or the default before any row exists."""
    row = (await session.exec(select(RuleSetting).where(RuleSetting.name == name, RuleSetting.active)
                              .order_by(RuleSetting.version.desc()).limit(1))).first()
    return _in_force(name, row)


def _in_force(name: str, row: RuleSetting | None) -> Rule:
    if row is None:
        return default_rule(name)
    kind, priority, defaults = DEFAULTS[name]
    return Rule(name, kind, priority, {**defaults, **row.params}, row.version)


async def load_rules(session, names) -> dict[str, Rule]:
    """The versions in force of several rules in one query: a run of events loads its rules once."""
    rows = (await session.exec(select(RuleSetting).where(RuleSetting.name.in_(list(names)), RuleSetting.active)
                               .order_by(RuleSetting.name, RuleSetting.version.desc()))).all()
    newest: dict[str, RuleSetting] = {}
    for row in rows:
        newest.setdefault(row.name, row)
    return {name: _in_force(name, newest.get(name)) for name in names}


@dataclass(frozen=True)
class LoanDueRule:
    """到期催收: collection notice + company check ahead of a loan's due date. The numbers come from a
    Rule (the version in force) or from what a task recorded; their defaults are DEFAULTS["loan_due"]."""
    lead_days: int
    lead_days_government: int   # government-related loans need longer to arrange repayment
    late_business_days: int = DEFAULTS["loan_due"][2]["late_business_days"]

    @classmethod
    def of(cls, rule: Rule) -> "LoanDueRule":
        return cls(int(rule["lead_days"]), int(rule["lead_days_government"]), int(rule["late_business_days"]))

    @classmethod
    def recorded(cls, params: dict) -> "LoanDueRule":
        """The numbers a collection task was made with (params), the defaults where it recorded none."""
        defaults = DEFAULTS["loan_due"][2]
        return cls(int(params.get("rule_lead_days", defaults["lead_days"])),
                   int(params.get("rule_lead_days_government", defaults["lead_days_government"])),
                   int(params.get("rule_late_business_days", defaults["late_business_days"])))

    def lead_for(self, government_related: bool) -> int:
        return self.lead_days_government if government_related else self.lead_days

    def due_date(self, calendar: BusinessCalendar, loan_due: date, government_related: bool,
                 business_date: date) -> date:
        """lead days before the loan's due date, moved back to a business day so it is never late;
        a loan already closer than that gets the late lead from today."""
        target = calendar.on_or_before(loan_due - timedelta(days=self.lead_for(government_related)))
        return fair_due(calendar, target, business_date, self.late_business_days)


def fair_due(calendar: BusinessCalendar, target: date, raised_on: date, late_business_days: int) -> date:
    """A task's due date, fair to a task raised after it (events that arrive late): that one is due the
    rule's late lead in business days after it was raised, never born late."""
    return target if target >= raised_on else calendar.add_business_days(raised_on, late_business_days)


def loan_is_government_related(due_flag: bool | None, loan_flag: bool | None,
                               customer_flag: bool) -> tuple[bool, str]:
    """涉及政府行为的贷款 is a property of the loan: loan.due's own flag when it carries one, else the loan's
    flag at disbursement, else — for a loan never seen disbursed — the borrower's. (flag, where it came from)"""
    if due_flag is not None:
        return due_flag, "loan"
    if loan_flag is not None:
        return loan_flag, "loan"
    return customer_flag, "customer"


# How a loan-due collection ended (seed): repaid, renewed for a sound borrower (借新还旧), extended, or
# handed to collection.
MaturityOutcome = Literal["collected", "renewed", "extended", "handed_to_collection"]
MATURITY_OUTCOMES: tuple[str, ...] = get_args(MaturityOutcome)


def needs_maturity_outcome(rule: str) -> bool:
    return rule == "loan_due"


LOAN_CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
TIERS = ("private", "platinum", "gold", "one_to_one", "standard")   # best first: the agenda's tie-breaker
# Controls that are an alert for the lead (domain: a retail premium customer without a B岗): on the agenda
# from the day raised until closed, not only from their due date.
STANDING_ALERTS = ("b_manager_missing",)
BANDS = ("gold", "platinum", "private")   # the retail AUM bands, lowest first: ≥ 500k, ≥ 1M, ≥ 2M (seed)


def needs_b_manager(kind: str | None, tier: str | None, b_manager: str | None) -> bool:
    """Every retail premium customer (tier ≥ the first AUM band) has a B岗 (seed); corporate needs none."""
    return needs_backup(kind, tier) and not b_manager


def above_grade(tier: str | None, grade: str | None) -> bool:
    """The tier is higher than the owner's grade may hold (an RM whose grade we have not heard: no alert)."""
    reach = grade_reach(grade)
    return reach is not None and tier_height(tier) > reach


def band_rank(tier: str | None) -> int:
    """0 for the first AUM band and up; -1 for a customer in no band."""
    return BANDS.index(tier) if tier in BANDS else -1


def in_plan(plan_band: str, tier: str | None) -> bool:
    """The plans are cumulative: a band's plan holds its customers and every richer band's."""
    return band_rank(tier) >= band_rank(plan_band) >= 0


def plan_bands(rule: Rule, day: date) -> list[str]:
    """The bands whose maintenance plan starts on `day` (the first of a month in the band's cadence)."""
    return [b for b in BANDS if day.day == 1 and not (day.month - 1) % int(rule[f"months_{b}"])]


def contact_months(rule: Rule, tier: str | None) -> int:
    """How often a customer of this tier is contacted, in months (0: not on the maintenance plan)."""
    return int(rule.params.get(f"months_{tier}", 0))


def less_contact_for_higher_band(params: dict) -> tuple[str, str] | None:
    """A contact setting that gives a richer band less contact than a poorer one: (poorer, richer)."""
    for poorer, richer in zip(BANDS, BANDS[1:], strict=False):
        if int(params[f"months_{richer}"]) > int(params[f"months_{poorer}"]):
            return poorer, richer
    return None


PREMIUM_TIERS = TIERS[:TIERS.index("gold") + 1]   # 优质客户: gold or better, the weekly summary's accounts


def tier_rank(tier: str | None) -> int:
    return TIERS.index(tier) if tier in TIERS else len(TIERS)


def risk_rank(classification: str | None) -> int:
    """Worse loan class ranks first (loss 0 … normal 4); no loan behind the task ranks last."""
    return len(LOAN_CLASSES) - 1 - LOAN_CLASSES.index(classification) if classification in LOAN_CLASSES else 9


def outflow_share(outflow: Decimal, opening_balance: Decimal) -> Decimal:
    """The day's outflow as a percentage of the balance the day opened with (all of it when that was nil)."""
    return (outflow * 100 / opening_balance) if opening_balance > 0 else Decimal(100)


def is_large_outflow(rule: Rule, outflow: Decimal, opening_balance: Decimal) -> bool:
    """大额流出: the day's outflow over the amount, or over the share of the opening balance — the share
    only from a floor amount up, so a small account's small withdrawal is no retention call."""
    return (outflow >= Decimal(str(rule["amount"]))
            or (outflow >= Decimal(str(rule["share_floor_amount"]))
                and outflow_share(outflow, opening_balance) >= Decimal(str(rule["share_of_balance_pct"]))))


def is_large_inflow(rule: Rule, inflow: Decimal) -> bool:
    return inflow >= Decimal(str(rule["amount"]))


def repayment_closes(rule: str, anchor: date, amount: Decimal | None, paid: Decimal, settled: bool,
                     repaid_on: date) -> bool:
    """A repayment closes a collection task when it covers what the task chases (or settles the loan);
    for a due-date collection, only a repayment on or before that date."""
    early = rule == "loan_overdue" or repaid_on <= anchor
    return early and (settled or paid >= (amount or 0))


def is_downgrade(from_class: str, to_class: str) -> bool:
    return LOAN_CLASSES.index(to_class) > LOAN_CLASSES.index(from_class)


def months_after(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's end (Jan 31 + 1 month → Feb 28)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(d, day.day))
        except ValueError:
            continue
    raise ValueError(day)


def overlaps(starts: datetime, ends: datetime, other_starts: datetime, other_ends: datetime) -> bool:
    """Two appointments clash when their half-open intervals meet: one ending at 10:00 and the next
    starting at 10:00 do not."""
    return starts < other_ends and other_starts < ends


def summary_due(calendar: BusinessCalendar, day: date) -> date:
    """A day's summary is expected by the next business morning."""
    return calendar.add_business_days(day, 1)

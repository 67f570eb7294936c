"""The appraisal's rules as pure functions and their default numbers, each in one place: how an event
becomes a fact (the balance it sets, the loan flow it records, the deed it credits, which of two facts
of one day wins), the default KPI set, scoring, grades, ranking with the bottom band, and the
qualitative item library. The consumer's handlers, the ledger replay and the tests all call these.

The defaults are domain.md's typical weights: deposits 日均 30 %, loans 20 %, asset quality 15 % (new-loan
NPL below 0.3 % 5, recovery rate 5, interest collection 5), new customers 10 %, intermediate business
income 10 %, cross-selling and service 15 % (cross-selling 5, visits 5, on-time tasks 5), and outside the
100 a deduction per complaint the RM was found responsible for; call-back satisfaction is a measured
qualitative item. Points are
out of the weight: a KPI exactly on target scores its weight; linear scoring is capped. An admin saves
a new version; a period (month, quarter or year) scores with the newest version effective by its first
month. Periods, the bottom band (末尾淘汰), who is appraised and NPL responsibility cases decide here too.
"""
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, get_args

CENT = Decimal("0.01")              # money, to the cent
POINT = CENT                        # points, to the hundredth
RATIO = Decimal("0.0001")           # rates and ratios on a card
NPL_CLASSES = ("substandard", "doubtful", "loss")
DEFAULT_COEFFICIENTS = {"savings": "1.1", "demand": "1.0", "margin": "0.3", "time": "1.2", "wealth": "0.5"}
DEFAULT_SPLIT = {"A": "1.0", "B": "0.0"}   # 分润: the A岗 manager takes it all unless the bank says otherwise

DEFAULT_KPIS: list[dict] = [
    {"code": "deposits", "name_zh": "存款日均", "name_en": "Deposits, daily average", "weight": "30",
     "indicator": "deposit_daily_average", "scoring": {"kind": "linear", "cap": "1.2"},
     "params": {"coefficients": DEFAULT_COEFFICIENTS, "split": DEFAULT_SPLIT}},
    {"code": "loans", "name_zh": "贷款日均", "name_en": "Loans, daily average", "weight": "20",
     "indicator": "loan_daily_average", "scoring": {"kind": "linear", "cap": "1.2"},
     "params": {"coefficients": {}, "split": DEFAULT_SPLIT}},
    # asset quality 15: the new-loan NPL ratio under the plan's 0.3 %, recovery (99.5 % a year) and interest
    {"code": "asset_quality", "name_zh": "资产质量（新增贷款不良率）", "name_en": "Asset quality (new-loan NPL ratio)",
     "weight": "5", "indicator": "new_loan_npl_ratio", "scoring": {"kind": "ceiling", "max": "0.003"}},
    {"code": "recovery", "name_zh": "资产质量（贷款收回率）", "name_en": "Asset quality (loan recovery rate)",
     "weight": "5", "indicator": "recovery_rate", "scoring": {"kind": "linear", "cap": "1.0", "target": "0.995"}},
    {"code": "interest_collection", "name_zh": "资产质量（收息率）", "name_en": "Asset quality (interest collection rate)",
     "weight": "5", "indicator": "interest_collection_rate",
     "scoring": {"kind": "linear", "cap": "1.0", "target": "1.00"}},
    {"code": "new_customers", "name_zh": "新增客户", "name_en": "New customers", "weight": "10",
     "indicator": "customers_won", "scoring": {"kind": "linear", "cap": "1.0"}},
    {"code": "intermediate_income", "name_zh": "中间业务收入", "name_en": "Intermediate business income",
     "weight": "10", "indicator": "fee_income", "scoring": {"kind": "linear", "cap": "1.2"}},
    # cross-selling and service 15
    {"code": "cross_selling", "name_zh": "交叉销售（持有产品类别增长）", "name_en": "Cross-selling (product categories gained)",
     "weight": "5", "indicator": "cross_selling", "scoring": {"kind": "linear", "cap": "1.2"}},
    {"code": "visits", "name_zh": "服务：走访与联系", "name_en": "Service: visits and calls", "weight": "5",
     "indicator": "interactions", "scoring": {"kind": "linear", "cap": "1.0"}},
    {"code": "on_time_tasks", "name_zh": "服务：任务按时完成率", "name_en": "Service: tasks done on time", "weight": "5",
     "indicator": "on_time_task_rate", "scoring": {"kind": "linear", "cap": "1.0", "target": "1.00", "floor": "0.6"}},
    # a penalty item outside the 100 (domain.md "Service": responsibility established before anyone is blamed)
    {"code": "responsible_complaints", "name_zh": "服务：有责投诉（扣分）",
     "name_en": "Service: complaints the RM was found responsible for (deduction)", "weight": "0",
     "indicator": "responsible_complaints", "scoring": {"kind": "per_unit", "points": "-2", "max": "10"}},
]
Indicator = Literal["deposit_daily_average", "loan_daily_average", "new_loan_npl_ratio", "customers_won", "fee_income",
                    "interactions", "on_time_task_rate", "deposit_growth_ytd", "deposit_growth_yoy", "recovery_rate",
                    "interest_collection_rate", "cross_selling", "marketing_results", "responsible_complaints"]
INDICATORS: tuple[str, ...] = get_args(Indicator)
SCORING_KINDS = ("linear", "ceiling", "per_unit")

# Five grades by total points, highest first (configurable data like everything here).
GRADES = [(Decimal(90), "优秀", "excellent"), (Decimal(80), "良好", "good"), (Decimal(70), "合格", "satisfactory"),
          (Decimal(60), "基本合格", "barely satisfactory"), (Decimal(0), "不合格", "unsatisfactory")]
# 末尾淘汰: at the annual close only, the bottom share of each unit large enough for a share to mean
# something is proposed (never flagged automatically); the share stays within the bank's 3–5 %.
BOTTOM_SHARE = Decimal("0.03")
BOTTOM_SHARE_RANGE = (Decimal("0.03"), Decimal("0.05"))
BOTTOM_MIN_HEADCOUNT = 20
LOSS_PER_POINT = Decimal(10000)  # 责任认定: one year-end point per 10,000 CNY of loss charged

# Who is appraised: everyone but those whose every role is in this set (an RM who also leads is appraised).
NOT_APPRAISED_ROLES = ("team_lead", "risk_manager", "auditor")


def appraised(roles, not_appraised=NOT_APPRAISED_ROLES) -> bool:
    return not roles or any(r not in not_appraised for r in roles)


# Qualitative items (定性考核): code -> (zh, en, maximum points), added to the weighted KPIs' 100.
ITEM_LIBRARY = {
    "responsibility": ("责任心", "Sense of responsibility", Decimal(2)),
    "compliance": ("合规操作", "Compliance", Decimal(2)),
    "customer_knowledge": ("客户熟悉程度", "Customer knowledge", Decimal(2)),
    "team_spirit": ("团队协作", "Team spirit", Decimal(2)),
}
# A qualitative item measured, not scored by an evaluator: the satisfaction customers gave in independent
# call-backs (回访), averaged per RM over the period and scaled linearly from the lowest answer (no points)
# to the highest (the item's maximum).
SATISFACTION_ITEM = ("customer_satisfaction", "客户满意度（独立回访）", "Customer satisfaction (independent call-backs)",
                     Decimal(2))
SATISFACTION_SCALE = (1, 5)


def satisfaction_item(answers: list[int], item=SATISFACTION_ITEM, scale=SATISFACTION_SCALE) -> dict | None:
    """The card's satisfaction line from the period's call-back answers, or None when nobody was reached."""
    if not answers:
        return None
    code, zh, en, maximum = item
    average = Decimal(sum(answers)) / len(answers)
    points = maximum * (average - scale[0]) / (scale[1] - scale[0])
    return {"item": code, "name_zh": zh, "name_en": en, "points": str(points.quantize(POINT, ROUND_HALF_UP)),
            "average_satisfaction": str(average.quantize(POINT, ROUND_HALF_UP)), "callbacks": len(answers)}


# Periods (考核期): a month, a quarter (季度考核) or a year (年度考核), each closed on its own.
PERIOD_PATTERN = r"^(19|20)\d{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$"   # a real year: date(0, 1, 1) does not exist
PERIOD_FORMATS = "YYYY-MM (month), YYYY-Qn (quarter, n = 1–4) or YYYY (year)"
PERIOD_FORMATS_ZH = "YYYY-MM（月）、YYYY-Qn（季度，n 为 1–4）或 YYYY（年）"
MONTH_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"


def period_kind(code: str) -> str:
    return "year" if len(code) == 4 else "quarter" if code[5] == "Q" else "month"


def period_bounds(code: str) -> tuple[date, date]:
    """(first day, day after the last) of a period: the whole span its figures are computed over."""
    year, kind = int(code[:4]), period_kind(code)
    if kind == "year":
        return date(year, 1, 1), date(year + 1, 1, 1)
    first_month = (int(code[6]) - 1) * 3 + 1 if kind == "quarter" else int(code[5:7])
    months = 3 if kind == "quarter" else 1
    after = first_month + months
    return date(year, first_month, 1), date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1)


def first_month(code: str) -> str:
    """The month a period begins with: which KPI version and which monthly facts it starts from."""
    return period_bounds(code)[0].strftime("%Y-%m")


def score(kpi: dict, raw: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Points for one KPI, or None when it cannot be scored (no data, no target)."""
    rule, weight = kpi["scoring"], Decimal(kpi["weight"])
    if raw is None:
        return None
    if rule["kind"] == "ceiling":   # lower is better: full points at or under the limit, none above
        return (weight if raw <= Decimal(rule["max"]) else Decimal(0)).quantize(POINT)
    if rule["kind"] == "per_unit":  # bonus/penalty items: points per unit, capped
        points = raw * Decimal(rule["points"]) or Decimal(0)   # none of a penalty is 0, never "-0"
        return max(min(points, Decimal(rule["max"])), -Decimal(rule["max"])).quantize(POINT, ROUND_HALF_UP)
    target = target if target is not None else (Decimal(rule["target"]) if "target" in rule else None)
    if not target:
        return None
    ratio = raw / target
    if "floor" in rule and ratio < Decimal(rule["floor"]):
        return Decimal(0)           # below the threshold the KPI earns nothing
    return (weight * min(ratio, Decimal(rule["cap"]))).quantize(POINT, ROUND_HALF_UP)


def grade_of(total: Decimal) -> tuple[str, str]:
    for floor, zh, en in GRADES:
        if total >= floor:
            return zh, en
    return GRADES[-1][1], GRADES[-1][2]


KpiProblem = tuple[str, dict]   # (code, params): texts.KPI_PROBLEMS words it in the reader's language


def validate_definitions(definitions: list[dict]) -> list[KpiProblem]:
    """Problems with a KPI set an admin submitted (empty list: fine). A set that passes can be scored:
    a bad one would otherwise break every card of every period it applies to."""
    problems: list[KpiProblem] = []
    codes = set()
    for d in definitions:
        missing = [k for k in ("code", "name_zh", "name_en", "weight", "indicator", "scoring") if k not in d]
        if missing:
            problems.append(("missing", {"code": d.get("code", "?"), "fields": ", ".join(missing)}))
            continue
        if d["code"] in codes:
            problems.append(("duplicate_code", {"code": d["code"]}))
        codes.add(d["code"])
        if d["indicator"] not in INDICATORS:
            problems.append(("unknown_indicator", {"code": d["code"], "indicator": d["indicator"]}))
        if (d["scoring"] or {}).get("kind") not in SCORING_KINDS:
            problems.append(("unknown_scoring_kind", {"code": d["code"]}))
        if "daily_average" in d["indicator"] or "growth" in d["indicator"]:
            params = d.get("params") or {}
            if not isinstance(params.get("coefficients"), dict) or not isinstance(params.get("split"), dict):
                problems.append(("params_incomplete", {"code": d["code"]}))
    try:
        weights = sum(Decimal(str(d.get("weight", 0))) for d in definitions
                      if (d.get("scoring") or {}).get("kind") != "per_unit")
    except ArithmeticError:
        return problems + [("weights_not_numbers", {})]
    if weights != 100:
        problems.append(("weights_not_100", {"total": weights}))
    return problems


UNGRADED = ""   # a frozen card without targets: no grade


def rank(cards: Sequence) -> None:
    """Ranks bank-wide and per unit (ties share a rank) and grades, set on each card (anything with
    username, unit, total, card). Flags are not touched: only the annual close proposes them (bottom_band)."""
    ordered = sorted(cards, key=lambda s: (-Decimal(str(s.total)), s.username))
    by_unit: dict = defaultdict(list)
    previous, place = None, 0
    for i, s in enumerate(ordered, 1):
        place = place if s.total == previous else i
        previous, s.rank_bank = s.total, place
        s.grade = grade_of(Decimal(str(s.total)))[0] if (s.card or {}).get("graded", True) else UNGRADED
        by_unit[s.unit].append(s)
    for members in by_unit.values():
        previous, place = None, 0
        for i, s in enumerate(members, 1):
            place = place if s.total == previous else i
            previous, s.rank_unit = s.total, place


def valid_bottom_share(share: Decimal) -> bool:
    return BOTTOM_SHARE_RANGE[0] <= share <= BOTTOM_SHARE_RANGE[1]


def bottom_band(cards: list, share: Decimal = BOTTOM_SHARE, min_headcount: int = BOTTOM_MIN_HEADCOUNT) -> list[str]:
    """末尾淘汰 proposals: per unit with at least `min_headcount` people, the lowest floor(n × share)
    totals (at least one). Returns the usernames proposed, lowest first within each unit."""
    by_unit: dict = defaultdict(list)
    for s in cards:
        by_unit[s.unit].append(s)
    proposed = []
    for unit in sorted(by_unit, key=str):
        members = sorted(by_unit[unit], key=lambda s: (Decimal(str(s.total)), s.username))
        if len(members) >= min_headcount:
            proposed += [s.username for s in members[:max(1, math.floor(len(members) * share))]]
    return proposed


# ---- from events to facts: the consumer's handlers and the ledger replay both decide here ----------

def stamp(occurred_at: datetime, event_id: str) -> tuple:
    """Of two facts of one business date the later one wins: (UTC time, event id) compared, so the
    result depends on the set of facts, never on their arrival order (SQLite returns naive times)."""
    if occurred_at.tzinfo:
        occurred_at = occurred_at.astimezone(timezone.utc).replace(tzinfo=None)
    return occurred_at, event_id


CLOSED_BALANCE = Decimal(0)                            # a closed account counts nil from its closing day
DEFAULT_PRODUCT = {"deposit": "demand", "loan": "loan"}  # an account whose product no event told us
# event type -> the field holding the balance it sets
BALANCE_FIELD = {"deposit.changed": "balance", "deposit.closed": None, "loan.disbursed": "principal",
                 "loan.repaid": "outstanding_balance", "loan.due": "outstanding_balance"}
REVEALS_ONLY = ("loan.due",)   # sets a balance only on an account with none known yet


def sets_balance(event_type: str, balance_known: bool) -> bool:
    """loan.due states the outstanding balance of a loan disbursed before the system started, so such a
    loan counts for loans 日均 from the first event that reveals it; on a loan whose balance is known
    (disbursed or repaid here) the repayments and disbursement say it, and a notice sent weeks before
    the due date must not override them."""
    return event_type in BALANCE_FIELD and (event_type not in REVEALS_ONLY or not balance_known)


def account_of(event) -> str:
    """The account a balance belongs to: a deposit account, or the loan itself."""
    return getattr(event, "account_id", None) or event.loan_id


def balance_point(event_type: str, event, known_product: str | None) -> dict:
    """The balance an event sets on its account from its business date: kind, customer, product (the
    event's, else the one the account had, else the kind's default) and balance (nil for a closure)."""
    kind = "loan" if event_type.startswith("loan.") else "deposit"
    field = BALANCE_FIELD[event_type]
    return {"kind": kind, "cif": event.customer_id,
            "product": getattr(event, "product", None) or known_product or DEFAULT_PRODUCT[kind],
            "balance": getattr(event, field) if field else CLOSED_BALANCE}


FLOW_AMOUNTS = {"loan.repaid": ("repaid_on", ("principal_paid", "interest_paid")),
                "loan.due": ("due_date", ("principal_due", "interest_due"))}


def loan_flow(event_type: str, event_id: str, event) -> tuple[str, int, dict[str, str]]:
    """(key, day, amounts) of the money a loan event moves. A falling-due is one fact per loan and due
    date: core banking re-sends loan.due with new ids, and the later amounts replace the earlier."""
    day_field, names = FLOW_AMOUNTS[event_type]
    on = _date(getattr(event, day_field))
    key = f"due:{event.loan_id}:{on.isoformat()}" if event_type == "loan.due" else event_id
    return key, on.toordinal(), {name: str(getattr(event, name)) for name in names}


def _date(value: date | str) -> date:
    """A date from a parsed event, or from a ledger payload (ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


NEW_LOAN_CLASS = "normal"   # a loan is disbursed performing; loan.classified moves it later

# A deed credited to one person: event type -> (kind, field naming the person, field dating the deed,
# None: the business date). A deed nobody is named for (an unowned customer won) credits no one.
DEEDS = {"customer.won": ("won", "owner", None), "interaction.logged": ("interaction", "rm", "occurred_on"),
         "task.completed": ("task_completed", "assignee", "completed_on"),
         # a registered marketing result counts once confirmed (by core banking or the lead), on its own date
         "marketing-result.confirmed": ("marketing_result", "rm", "result_date")}


def deed(event_type: str, event, business_date: date) -> dict | None:
    """The deed an event credits (kind, username, day, on_time), or None when it names nobody."""
    kind, who, dated = DEEDS[event_type]
    person = getattr(event, who)
    if not person:
        return None
    on = _date(getattr(event, dated)) if dated else business_date
    return {"kind": kind, "username": person, "day": on.toordinal(), "on_time": getattr(event, "on_time", None)}


# What the customer side says about an RM's service (domain.md "Service"): complaints and call-backs.
SERVICE_CHECKS = ("complaint.resolved", "callback.recorded")
RESPONSIBLE_RM = "rm"   # 分清责任: of the resolutions, only this one counts against the RM's card


def service_check(event_type: str, event, business_date: date) -> dict | None:
    """The fact a complaint or a call-back puts on an RM's card (kind, username, day, satisfaction), or
    None when it puts none: a complaint counts only once resolved with the RM found responsible, on the
    day resolved; a call-back only when the customer was reached and answered, on the day recorded."""
    if event_type == "complaint.resolved":
        if event.responsible != RESPONSIBLE_RM or not event.responsible_staff:
            return None
        return {"kind": "complaint", "username": event.responsible_staff,
                "day": _date(event.resolved_on).toordinal(), "satisfaction": None}
    if not event.rm or not event.reached or event.satisfaction is None:
        return None
    return {"kind": "callback", "username": event.rm, "day": business_date.toordinal(),
            "satisfaction": event.satisfaction}


def fee_fact(event) -> dict:
    """The income a fee.posted books, on the day posted; a reversal (negative, naming the fee it
    reverses) is keyed by that fee, so a re-sent reversal is still one fact and the pair nets to nil."""
    key = f"reversal:{event.reverses}" if event.reverses else event.fee_id
    return {"fee_key": key, "cif": event.customer_id, "day": _date(event.posted_on).toordinal(),
            "category": event.category, "amount": Decimal(str(event.amount))}


FIRST_BUSINESS = {"deposit.opened": "opened_on", "loan.disbursed": "disbursed_on"}   # event -> the day it opens


def first_business_day(event_type: str, event) -> int:
    """新增客户: the day an account opened or a loan was disbursed; a customer's earliest is their first business."""
    return _date(getattr(event, FIRST_BUSINESS[event_type])).toordinal()


TASK_EVENTS = ("task.created", "task.escalated", "task.completed", "task.cancelled")


def task_point(event_type: str, event, business_date: date, known: dict | None) -> dict:
    """A task's record after one of its events: assignee and due date as last told, closed on the
    earliest completion or cancellation (a task closed stays closed whatever order events come in)."""
    record = dict(known or {"task_id": event.task_id, "assignee": None, "due_day": None, "closed_day": None})
    record["assignee"] = event.assignee or record["assignee"]
    if getattr(event, "due_date", None) is not None:
        record["due_day"] = _date(event.due_date).toordinal()
    closed = {"task.completed": getattr(event, "completed_on", None), "task.cancelled": business_date}.get(event_type)
    if closed is not None:
        day = _date(closed).toordinal()
        record["closed_day"] = min(day, record["closed_day"] or day)
    return record


def late_and_open(record: dict, start: int, end: int, as_of: int) -> bool:
    """A task due in [start, end), past due by `as_of` and never closed: late, though nobody completed it."""
    return record["closed_day"] is None and record["due_day"] is not None and \
        start <= record["due_day"] < min(end, as_of)


def categories_held(spans: list, day: int) -> dict[str, set[str]]:
    """交叉销售: per customer the product categories (deposit products, loans) with a balance on `day`;
    spans are (cif, product, from_day, to_day, balance)."""
    held: dict[str, set[str]] = defaultdict(set)
    for cif, product, start, stop, balance in spans:
        if balance and start <= day < (stop or day + 1):
            held[cif].add(product)
    return held


def categories_gained(spans: list, owners_at_end: dict[str, str], start: int, end: int) -> dict[str, int]:
    """Per owner (of the customer on the period's last day): categories held on the last day minus those
    held the day before the period began, summed over their customers."""
    before, after = categories_held(spans, start - 1), categories_held(spans, end - 1)
    gained: dict[str, int] = defaultdict(int)
    for cif, owner in owners_at_end.items():
        gained[owner] += len(after.get(cif, ())) - len(before.get(cif, ()))
    return dict(gained)


def becomes_npl(from_class: str, to_class: str) -> bool:
    """严格新增不良贷款责任认定: a loan moving into substandard or worse opens a responsibility case."""
    return to_class in NPL_CLASSES and from_class not in NPL_CLASSES


def nearest_risk_manager(unit_path: str | None, risk_managers: dict[str, str]) -> str | None:
    """The risk manager (username -> unit path) whose unit is the nearest above or at `unit_path`."""
    if not unit_path:
        return None
    above = [(len(path.split("/")), who) for who, path in risk_managers.items()
             if f"{unit_path}/".startswith(f"{path}/")]
    return max(above, key=lambda a: (a[0], a[1]))[1] if above else None

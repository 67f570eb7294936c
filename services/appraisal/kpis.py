"""KPI definitions as data, scoring functions and grades (pure: no database).

The defaults are domain.md's: deposits 日均 30 %, loans 20 %, asset quality 15 % (new-loan NPL below
0.3 %), new customers 10 %, intermediate business income 10 %, service 15 % (visits 5 + on-time tasks
10). Points are out of the weight: a KPI exactly on target scores its weight; linear scoring is capped.
An admin saves a new version; a period scores with the newest version effective by its month.
"""
from decimal import ROUND_HALF_UP, Decimal

POINT = Decimal("0.01")
DEFAULT_COEFFICIENTS = {"savings": "1.1", "demand": "1.0", "margin": "0.3", "time": "1.2", "wealth": "0.5"}
DEFAULT_SPLIT = {"A": "1.0", "B": "0.0"}   # 分润: the A岗 manager takes it all unless the bank says otherwise

DEFAULT_KPIS: list[dict] = [
    {"code": "deposits", "name_zh": "存款日均", "name_en": "Deposits, daily average", "weight": "30",
     "indicator": "deposit_daily_average", "scoring": {"kind": "linear", "cap": "1.2"},
     "params": {"coefficients": DEFAULT_COEFFICIENTS, "split": DEFAULT_SPLIT}},
    {"code": "loans", "name_zh": "贷款日均", "name_en": "Loans, daily average", "weight": "20",
     "indicator": "loan_daily_average", "scoring": {"kind": "linear", "cap": "1.2"},
     "params": {"coefficients": {}, "split": DEFAULT_SPLIT}},
    {"code": "asset_quality", "name_zh": "资产质量（新增贷款不良率）", "name_en": "Asset quality (new-loan NPL ratio)",
     "weight": "15", "indicator": "new_loan_npl_ratio", "scoring": {"kind": "ceiling", "max": "0.003"}},
    {"code": "new_customers", "name_zh": "新增客户", "name_en": "New customers won", "weight": "10",
     "indicator": "customers_won", "scoring": {"kind": "linear", "cap": "1.0"}},
    {"code": "intermediate_income", "name_zh": "中间业务收入", "name_en": "Intermediate business income",
     "weight": "10", "indicator": "fee_income", "scoring": {"kind": "linear", "cap": "1.2"}},
    {"code": "visits", "name_zh": "服务：走访与联系", "name_en": "Service: visits and calls", "weight": "5",
     "indicator": "interactions", "scoring": {"kind": "linear", "cap": "1.0"}},
    {"code": "on_time_tasks", "name_zh": "服务：任务按时完成率", "name_en": "Service: tasks done on time", "weight": "10",
     "indicator": "on_time_task_rate", "scoring": {"kind": "linear", "cap": "1.0", "target": "1.00", "floor": "0.6"}},
]
INDICATORS = ("deposit_daily_average", "loan_daily_average", "new_loan_npl_ratio", "customers_won", "fee_income",
              "interactions", "on_time_task_rate", "deposit_growth_ytd", "deposit_growth_yoy", "recovery_rate",
              "interest_collection_rate")
SCORING_KINDS = ("linear", "ceiling", "per_unit")

# Five grades by total points, highest first (configurable data like everything here).
GRADES = [(Decimal(90), "优秀", "excellent"), (Decimal(80), "良好", "good"), (Decimal(70), "合格", "satisfactory"),
          (Decimal(60), "基本合格", "barely satisfactory"), (Decimal(0), "不合格", "unsatisfactory")]
BOTTOM_SHARE = Decimal("0.05")   # 末尾淘汰: the bottom 5 % are flagged (the bank's band is 3–5 %)
LOSS_PER_POINT = Decimal(10000)  # 责任认定: one year-end point per 10,000 CNY of loss charged


def score(kpi: dict, raw: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Points for one KPI, or None when it cannot be scored (no data, no target)."""
    rule, weight = kpi["scoring"], Decimal(kpi["weight"])
    if raw is None:
        return None
    if rule["kind"] == "ceiling":   # lower is better: full points at or under the limit, none above
        return (weight if raw <= Decimal(rule["max"]) else Decimal(0)).quantize(POINT)
    if rule["kind"] == "per_unit":  # bonus/penalty items: points per unit, capped
        points = raw * Decimal(rule["points"])
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


def validate_definitions(definitions: list[dict]) -> list[str]:
    """Problems with a KPI set an admin submitted (empty list: fine). A set that passes can be scored:
    a bad one would otherwise break every card of every period it applies to."""
    problems, codes = [], set()
    for d in definitions:
        missing = [k for k in ("code", "name_zh", "name_en", "weight", "indicator", "scoring") if k not in d]
        if missing:
            problems.append(f"{d.get('code', '?')}: missing {', '.join(missing)}")
            continue
        if d["code"] in codes:
            problems.append(f"duplicate code {d['code']}")
        codes.add(d["code"])
        if d["indicator"] not in INDICATORS:
            problems.append(f"{d['code']}: unknown indicator {d['indicator']}")
        if (d["scoring"] or {}).get("kind") not in SCORING_KINDS:
            problems.append(f"{d['code']}: unknown scoring kind")
        if "daily_average" in d["indicator"] or "growth" in d["indicator"]:
            params = d.get("params") or {}
            if not isinstance(params.get("coefficients"), dict) or not isinstance(params.get("split"), dict):
                problems.append(f"{d['code']}: params need coefficients and split")
    try:
        weights = sum(Decimal(str(d.get("weight", 0))) for d in definitions
                      if (d.get("scoring") or {}).get("kind") != "per_unit")
    except ArithmeticError:
        return problems + ["weights must be numbers"]
    if weights != 100:
        problems.append(f"weights add up to {weights}, not 100")
    return problems

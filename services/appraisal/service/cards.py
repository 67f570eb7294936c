"""Scorecards: from a period's facts (live or replayed) to each KPI's raw value, target, points and the
figures behind it, plus qualitative points and the year-end responsibility deduction. A KPI without a
score carries a note code (texts.NOTES says it in the reader's language)."""
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import StaffMember
from services.appraisal.rules import LOSS_PER_POINT, NPL_CLASSES, POINT, RATIO, grade_of, score
from services.appraisal.service.attribution import DailyAverage, daily_average_by_owner
from services.appraisal.service.facts import Period, PeriodFacts, live_facts
from services.appraisal.service.kpi_sets import kpi_set
from services.appraisal.service.qualitative import qualitative_points
from services.appraisal.service.replay import replay_facts
from services.appraisal.service.responsibility import year_end_losses
from services.appraisal.service.targets import rm_targets

AVERAGED = {"deposit_daily_average": "deposit", "loan_daily_average": "loan", "deposit_growth_ytd": "deposit",
            "deposit_growth_yoy": "deposit"}
GROWTH_BASE = {"deposit_growth_ytd": Period.start_of_year, "deposit_growth_yoy": Period.a_year_earlier}
RATES = {"recovery_rate": ("principal_paid", "principal_due"),
         "interest_collection_rate": ("interest_paid", "interest_due")}


def _averages(facts: PeriodFacts, kpis: list[dict], bases: dict[str, PeriodFacts]) -> dict[str, tuple]:
    """Per KPI code: (日均 by owner in the period, 日均 by owner in the growth base or None)."""
    def averaged(f: PeriodFacts, k: dict) -> dict[str, DailyAverage]:
        return daily_average_by_owner(f.balance_days, AVERAGED[k["indicator"]], f.period.days,
                                      {p: Decimal(c) for p, c in k["params"]["coefficients"].items()},
                                      {r: Decimal(s) for r, s in k["params"]["split"].items()})
    return {k["code"]: (averaged(facts, k), averaged(bases[k["code"]], k) if k["code"] in bases else None)
            for k in kpis if k["indicator"] in AVERAGED}


def indicator(kpi: dict, who: str, facts: PeriodFacts, averages: dict) -> tuple[Decimal | None, dict, str | None]:
    """(raw value, drill-down, note) of one KPI for one person."""
    kind, deeds = kpi["indicator"], facts.activity.get(who, {})
    if kind in GROWTH_BASE:
        now, base = (a.get(who) for a in averages[kpi["code"]])
        now_amount, base_amount = (now.amount if now else Decimal("0.00")), (base.amount if base else Decimal("0.00"))
        return now_amount - base_amount, {"daily_average": str(now_amount), "base": str(base_amount)}, None
    if kind in AVERAGED:
        avg = averages[kpi["code"]][0].get(who)
        if avg is None:
            return Decimal("0.00"), {"customers": []}, None
        return avg.amount, {"customers": [{"cif": c, "daily_average": str(v), "balance_days": str(avg.balance_days[c])}
                                          for c, v in avg.by_customer.items()]}, None
    if kind in RATES:
        paid, due = (facts.loan_flows.get(who, {}).get(name, Decimal(0)) for name in RATES[kind])
        if not due:
            return None, {"due": "0", "collected": str(paid)}, "no_dues"
        return (paid / due).quantize(RATIO, ROUND_HALF_UP), {"due": str(due), "collected": str(paid)}, None
    if kind == "new_loan_npl_ratio":
        loans = facts.new_loans.get(who, [])
        total = sum((p for _, p, _ in loans), Decimal(0))
        bad = sum((p for _, p, c in loans if c in NPL_CLASSES), Decimal(0))
        ratio = (bad / total).quantize(RATIO, ROUND_HALF_UP) if total else Decimal("0.0000")
        return ratio, {"loans": [{"loan_id": i, "principal": str(p), "class": c} for i, p, c in loans]}, None
    if kind == "customers_won":
        return Decimal(deeds.get("won", 0)), {"count": deeds.get("won", 0)}, None
    if kind == "interactions":
        return Decimal(deeds.get("interaction", 0)), {"count": deeds.get("interaction", 0)}, None
    if kind == "on_time_task_rate":
        done = deeds.get("task_completed", 0)
        if not done:
            return None, {"completed": 0, "on_time": 0}, "no_tasks"
        rate = (Decimal(deeds.get("on_time", 0)) / done).quantize(RATIO, ROUND_HALF_UP)
        return rate, {"completed": done, "on_time": deeds.get("on_time", 0)}, None
    return None, {}, "no_source"   # fee_income: no event carries it yet


def build_card(who: str, facts: PeriodFacts, version: int, kpis: list[dict], targets: dict, averages: dict,
               qualitative: list[dict], loss: Decimal) -> dict:
    lines, total = [], Decimal(0)
    for kpi in kpis:
        raw, drill, note = indicator(kpi, who, facts, averages)
        target = targets.get(kpi["indicator"])
        points = score(kpi, raw, target)
        if points is None and note is None and raw is not None:
            note = "no_target"
        total += points or 0
        lines.append({"code": kpi["code"], "name_zh": kpi["name_zh"], "name_en": kpi["name_en"],
                      "indicator": kpi["indicator"], "weight": kpi["weight"],
                      "raw_value": None if raw is None else str(raw),
                      "target": None if target is None else str(target),
                      "score": None if points is None else str(points), "note": note, "drilldown": drill})
    quali = sum((Decimal(q["points"]) for q in qualitative), Decimal(0))
    deduction = (loss / LOSS_PER_POINT).quantize(POINT, ROUND_HALF_UP)
    total = (total + quali - deduction).quantize(POINT, ROUND_HALF_UP)
    return {"username": who, "period": facts.period.code, "kpi_version": version, "kpis": lines,
            "qualitative": qualitative, "responsibility_deduction": str(deduction), "total": str(total),
            "grade": grade_of(total)[0]}


async def scorecards(session: AsyncSession, period: str, usernames: list[str] | None = None,
                     source: str = "live") -> dict[str, dict]:
    """Cards for `usernames` (None: everyone with facts in the period, and every active RM)."""
    load = live_facts if source == "live" else replay_facts
    version, kpis = await kpi_set(session, period)
    facts = await load(session, period, usernames)
    bases = {k["code"]: await load(session, GROWTH_BASE[k["indicator"]](facts.period), usernames)
             for k in kpis if k["indicator"] in GROWTH_BASE}
    if usernames is None:
        staff = (await session.exec(select(StaffMember).where(StaffMember.active))).all()
        people = facts.people() | {s.username for s in staff if "rm" in s.roles}
    else:
        people = set(usernames)
    targets, losses = await rm_targets(session, period, usernames), await year_end_losses(session, period)
    qualitative = await qualitative_points(session, period)
    averages = _averages(facts, kpis, bases)
    return {who: build_card(who, facts, version, kpis, targets.get(who, {}), averages, qualitative.get(who, []),
                            losses.get(who, Decimal(0))) for who in sorted(people)}

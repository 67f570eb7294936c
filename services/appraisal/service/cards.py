"""Scorecards: from a period's facts (live or replayed) to each KPI's raw value, target, points and the
figures behind it, plus qualitative points and the year-end responsibility deduction. A KPI without a
score carries a note code (texts.NOTES says it in the reader's language)."""
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import StaffMember
from services.appraisal.rules import (
    CENT,
    LOSS_PER_POINT,
    NOT_APPRAISED_ROLES,
    NPL_CLASSES,
    POINT,
    RATIO,
    appraised,
    grade_of,
    satisfaction_item,
    score,
)
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
    kind, deeds = kpi["indicator"], facts.activity.get(who, Counter())
    if kind in GROWTH_BASE:
        now, base = (a.get(who) for a in averages[kpi["code"]])
        now_amount, base_amount = (now.amount if now else Decimal("0.00")), (base.amount if base else Decimal("0.00"))
        return now_amount - base_amount, {"daily_average": str(now_amount), "base": str(base_amount)}, None
    if kind in AVERAGED:
        avg = averages[kpi["code"]][0].get(who)
        if avg is None:
            return Decimal("0.00"), {"days": facts.period.days, "customers": []}, None
        # the weighted balance-days add up: Σ ÷ days is the KPI (rounded once); balance_days is unweighted
        return avg.amount, {"days": facts.period.days, "customers": [
            {"cif": c, "daily_average": str(v), "balance_days": str(avg.balance_days[c]),
             "weighted_balance_days": str(sum((Decimal(x["weighted_balance_days"]) for x in avg.lines[c]), Decimal(0))),
             "lines": avg.lines[c]} for c, v in avg.by_customer.items()]}, None
    if kind in RATES:
        paid, due = (facts.loan_flows.get(who, {}).get(name, Decimal(0)) for name in RATES[kind])
        if not due:
            return None, {"due": "0", "collected": str(paid)}, "no_dues"
        return (paid / due).quantize(RATIO, ROUND_HALF_UP), {"due": str(due), "collected": str(paid)}, None
    if kind == "new_loan_npl_ratio":
        loans = sorted(facts.new_loans.get(who, []))   # one order live and replayed
        total = sum((p for _, p, _ in loans), Decimal(0))
        bad = sum((p for _, p, c in loans if c in NPL_CLASSES), Decimal(0))
        ratio = (bad / total).quantize(RATIO, ROUND_HALF_UP) if total else Decimal("0.0000")
        return ratio, {"loans": [{"loan_id": i, "principal": str(p), "class": c} for i, p, c in loans]}, None
    if kind == "customers_won":   # won, or first account / loan opened in the period: each customer once
        new = sorted(facts.new_customers.get(who, ()))
        return Decimal(len(new)), {"count": len(new), "customers": new}, None
    if kind == "interactions":
        return Decimal(deeds.get("interaction", 0)), {"count": deeds.get("interaction", 0)}, None
    if kind == "marketing_results":   # confirmed results only: registered ones never reach appraisal
        return Decimal(deeds.get("marketing_result", 0)), {"count": deeds.get("marketing_result", 0)}, None
    if kind == "on_time_task_rate":   # a task past due and never completed counts as late
        done, late_open = deeds.get("task_completed", 0), deeds.get("late_open", 0)
        if not done + late_open:
            return None, {"completed": 0, "on_time": 0, "overdue_open": 0}, "no_tasks"
        rate = (Decimal(deeds.get("on_time", 0)) / (done + late_open)).quantize(RATIO, ROUND_HALF_UP)
        return rate, {"completed": done, "on_time": deeds.get("on_time", 0), "overdue_open": late_open}, None
    if kind == "fee_income":
        income = facts.fees.get(who, Decimal(0)).quantize(CENT)
        return income, {"fee_income": str(income)}, None
    if kind == "responsible_complaints":   # resolved with the RM found responsible, on the day resolved
        cifs = sorted(facts.complaints.get(who, ()))
        return Decimal(len(cifs)), {"count": len(cifs), "customers": cifs}, None
    if kind == "cross_selling":
        gained = facts.categories_gained.get(who, 0)
        return Decimal(gained), {"categories_gained": gained}, None
    raise ValueError(f"unknown indicator {kind}")   # validate_definitions refuses it before it is saved


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
    satisfaction = satisfaction_item(facts.satisfaction.get(who, []))
    qualitative = qualitative + [satisfaction] if satisfaction else qualitative
    quali = sum((Decimal(q["points"]) for q in qualitative), Decimal(0))
    deduction = (loss / LOSS_PER_POINT).quantize(POINT, ROUND_HALF_UP)
    total = (total + quali - deduction).quantize(POINT, ROUND_HALF_UP)
    graded = bool(targets)   # with no target set, a grade would only say how much of nothing was met
    return {"username": who, "period": facts.period.code, "kpi_version": version, "kpis": lines,
            "qualitative": qualitative, "responsibility_deduction": str(deduction), "total": str(total),
            "grade": grade_of(total)[0] if graded else None, "graded": graded}


async def scorecards(session: AsyncSession, period: str, usernames: list[str] | None = None,
                     source: str = "live", as_of: date | None = None,
                     not_appraised: tuple[str, ...] = NOT_APPRAISED_ROLES) -> dict[str, dict]:
    """Cards for `usernames` (None: every appraised person with facts in the period, and every active RM),
    read on the business date `as_of` (None: as if the period were over)."""
    load = live_facts if source == "live" else replay_facts
    version, kpis = await kpi_set(session, period)
    facts = await load(session, period, usernames, as_of)
    bases = {k["code"]: await load(session, GROWTH_BASE[k["indicator"]](facts.period), usernames)
             for k in kpis if k["indicator"] in GROWTH_BASE}
    if usernames is None:
        staff = (await session.exec(select(StaffMember))).all()
        exempt = {s.username for s in staff if not appraised(s.roles, not_appraised)}
        people = (facts.people() | {s.username for s in staff if s.active and "rm" in s.roles}) - exempt
    else:
        people = set(usernames)
    targets, losses = await rm_targets(session, period, usernames), await year_end_losses(session, period)
    qualitative = await qualitative_points(session, period)
    averages = _averages(facts, kpis, bases)
    return {who: build_card(who, facts, version, kpis, targets.get(who, {}), averages, qualitative.get(who, []),
                            losses.get(who, Decimal(0))) for who in sorted(people)}

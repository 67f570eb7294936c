"""Scorecards: from a period's facts (live or replayed) to each KPI's raw value, target, points and the
figures behind it, plus qualitative points and the year-end responsibility deduction."""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.attribution import DailyAverage, daily_average_by_owner
from services.appraisal.facts import NPL_CLASSES, PeriodFacts, live_facts
from services.appraisal.kpis import DEFAULT_KPIS, LOSS_PER_POINT, POINT, grade_of, score
from services.appraisal.models import StaffMember
from services.appraisal.qualitative import qualitative_points
from services.appraisal.records import KpiVersion, NplResponsibility, Target
from services.appraisal.replay import replay_facts

RATIO = Decimal("0.0001")
NOTES = {  # why a KPI has no score: shown on the card in the reader's language
    "no_source": ("暂无数据来源：尚无事件携带中间业务收入", "No source yet: no event carries fee income"),
    "no_target": ("尚未下达目标", "No target set"),
    "no_tasks": ("本期无已完成任务", "No task completed in the period"),
}


async def kpi_set(session: AsyncSession, period: str) -> tuple[int, list[dict]]:
    row = (await session.exec(select(KpiVersion).where(KpiVersion.effective_from <= period)
                              .order_by(KpiVersion.version.desc()).limit(1))).first()
    return (row.version, row.definitions) if row else (0, DEFAULT_KPIS)


async def rm_targets(session: AsyncSession, period: str, usernames: list[str] | None) -> dict[str, dict[str, Decimal]]:
    query = select(Target).where(Target.period == period, Target.level == "rm")
    rows = (await session.exec(query if usernames is None else query.where(Target.key.in_(usernames)))).all()
    targets: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for t in rows:
        targets[t.key][t.indicator] = Decimal(str(t.amount))
    return targets


async def year_end_losses(session: AsyncSession, period: str) -> dict[str, Decimal]:
    if not period.endswith("-12"):
        return {}  # responsibility is deducted from the year-end score only
    rows = (await session.exec(select(NplResponsibility).where(NplResponsibility.year == int(period[:4])))).all()
    losses: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        losses[r.username] += Decimal(str(r.loss_amount))
    return losses


def _averages(facts: PeriodFacts, kpis: list[dict]) -> dict[str, dict[str, DailyAverage]]:
    kinds = {"deposit_daily_average": "deposit", "loan_daily_average": "loan"}
    return {k["code"]: daily_average_by_owner(
        facts.balance_days, kinds[k["indicator"]], facts.period.days,
        {p: Decimal(c) for p, c in k["params"]["coefficients"].items()},
        {r: Decimal(s) for r, s in k["params"]["split"].items()}) for k in kpis if k["indicator"] in kinds}


def indicator(kpi: dict, who: str, facts: PeriodFacts, averages: dict) -> tuple[Decimal | None, dict, str | None]:
    """(raw value, drill-down, note) of one KPI for one person."""
    kind, deeds = kpi["indicator"], facts.activity.get(who, {})
    if kind in ("deposit_daily_average", "loan_daily_average"):
        avg = averages[kpi["code"]].get(who)
        if avg is None:
            return Decimal("0.00"), {"customers": []}, None
        return avg.amount, {"customers": [{"cif": c, "daily_average": str(v), "balance_days": str(avg.balance_days[c])}
                                          for c, v in avg.by_customer.items()]}, None
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
    facts = await (live_facts if source == "live" else replay_facts)(session, period, usernames)
    version, kpis = await kpi_set(session, period)
    if usernames is None:
        staff = (await session.exec(select(StaffMember).where(StaffMember.active))).all()
        people = facts.people() | {s.username for s in staff if "rm" in s.roles}
    else:
        people = set(usernames)
    targets, losses = await rm_targets(session, period, usernames), await year_end_losses(session, period)
    qualitative = await qualitative_points(session, period)
    averages = _averages(facts, kpis)
    return {who: build_card(who, facts, version, kpis, targets.get(who, {}), averages, qualitative.get(who, []),
                            losses.get(who, Decimal(0))) for who in sorted(people)}

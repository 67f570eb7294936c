"""Qualitative appraisal (定性考核): the item library, plans saying who scores whom by when, partial
scores. Creating a plan publishes appraisal.scoring-requested so the evaluator's agenda gets a task."""
import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.config import SOURCE
from services.appraisal.models import QualitativePlan
from services.appraisal.rules import ITEM_LIBRARY, POINT
from shared.errors import Problem
from shared.events import APPRAISAL_TOPIC, ScoringRequested
from shared.outbox import record_event


async def plan_scoring(session: AsyncSession, *, period: str, evaluator: str, subject: str, items: list[str],
                       due_date: date, business_date: date) -> QualitativePlan:
    unknown = [i for i in items if i not in ITEM_LIBRARY]
    if unknown or not items:
        raise Problem(422, "unknown_item", field="items", items=", ".join(unknown))
    plan = QualitativePlan(id=str(uuid.uuid4()), period=period, evaluator=evaluator, subject=subject, items=items,
                           due_date=due_date, scores={})
    session.add(plan)
    record_event(session, APPRAISAL_TOPIC, "appraisal.scoring-requested", ScoringRequested(
        plan_id=plan.id, evaluator=evaluator, subject=subject, period=period, items=items, due_date=due_date),
        subject=subject, key=evaluator, business_date=business_date, source=SOURCE)
    return plan


async def save_scores(session: AsyncSession, plan: QualitativePlan, scores: dict[str, Decimal]) -> QualitativePlan:
    """Partial saves are fine: an evaluator may score two items today and the rest tomorrow."""
    for item, points in scores.items():
        if item not in plan.items:
            raise Problem(422, "unknown_item", field=f"scores.{item}", items=item)
        if not Decimal(0) <= points <= ITEM_LIBRARY[item][2]:
            raise Problem(422, "points_out_of_range", field=f"scores.{item}", max=ITEM_LIBRARY[item][2])
    plan.scores = {**plan.scores, **{item: str(points) for item, points in scores.items()}}
    session.add(plan)
    return plan


async def qualitative_points(session: AsyncSession, period: str) -> dict[str, list[dict]]:
    """Per subject and item, the average of the evaluators' points saved so far."""
    given: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for plan in (await session.exec(select(QualitativePlan).where(QualitativePlan.period == period))).all():
        for item, points in plan.scores.items():
            given[plan.subject][item].append(Decimal(points))
    return {who: [{"item": item, "name_zh": ITEM_LIBRARY[item][0], "name_en": ITEM_LIBRARY[item][1],
                   "points": str((sum(p) / len(p)).quantize(POINT))} for item, p in sorted(items.items())]
            for who, items in given.items()}

"""Qualitative appraisal routes: plans saying who scores whom, and the evaluator's scores."""
from decimal import Decimal

from fastapi import APIRouter, Request

from services.appraisal.api import cards_changed
from services.appraisal.models import QualitativePlan, StaffMember
from services.appraisal.schemas import Plan
from services.appraisal.scope import may_plan_scoring, oversees, require, require_visible
from services.appraisal.service.audit import audit
from services.appraisal.service.qualitative import plan_scoring, save_scores
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today
from shared.errors import Problem

router = APIRouter(tags=["appraisal"])


@router.post("/appraisal/qualitative/plans", status_code=201, response_model=QualitativePlan)
async def create_plan(body: Plan, user: CurrentUser, session: SessionDep, request: Request):
    require(may_plan_scoring(user))
    subject = await require_visible(session, user, body.subject)
    evaluator = await session.get(StaffMember, body.evaluator)
    if subject is None or evaluator is None or not oversees(evaluator, subject):
        raise Problem(422, "evaluator_not_in_chain", field="evaluator", evaluator=body.evaluator,
                      subject=body.subject)
    plan = await plan_scoring(session, period=body.period, evaluator=body.evaluator, subject=body.subject,
                              items=body.items, due_date=body.due_date, business_date=business_today())
    await session.commit()
    cards_changed(request)
    events_written(request)
    return plan


@router.put("/appraisal/qualitative/plans/{plan_id}/scores", response_model=QualitativePlan)
async def score_plan(plan_id: str, scores: dict[str, Decimal], user: CurrentUser, session: SessionDep,
                     request: Request):
    plan = await session.get(QualitativePlan, plan_id)
    if plan is None or plan.evaluator != user.username:
        raise Problem(404, "not_found")
    plan = await save_scores(session, plan, scores)
    await audit(session, user.username, "qualitative.scored", plan.subject, plan=plan_id, scores=plan.scores)
    await session.commit()
    cards_changed(request)
    return plan

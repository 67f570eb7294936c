"""Planning routes: KPI definition versions, targets and target contracts, qualitative plans and
scores, NPL responsibility records."""
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlmodel import func, select

from services.appraisal.api.periods import PeriodPath, cards_changed
from services.appraisal.api.scorecards import PERIOD
from services.appraisal.closing import audit
from services.appraisal.kpis import INDICATORS, validate_definitions
from services.appraisal.qualitative import plan_scoring, save_scores
from services.appraisal.records import KpiVersion, NplResponsibility, QualitativePlan
from services.appraisal.scope import require_visible
from services.appraisal.targets import break_down, set_target, sign_contract
from services.appraisal.cards import kpi_set
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today
from shared.errors import Problem

router = APIRouter(tags=["appraisal"])
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


def _require(user, *roles: str) -> None:
    if not user.has(*roles):
        raise Problem(403, "forbidden")


class KpiSet(BaseModel):
    effective_from: Annotated[str, Field(pattern=PERIOD.pattern)]
    definitions: list[dict]


@router.get("/appraisal/kpi-definitions")
async def kpi_definitions(user: CurrentUser, session: SessionDep, period: str | None = None):
    version, definitions = await kpi_set(session, period or business_today().strftime("%Y-%m"))
    return {"version": version, "definitions": definitions}


@router.post("/appraisal/kpi-definitions", status_code=201)
async def new_kpi_version(body: KpiSet, user: CurrentUser, session: SessionDep, request: Request):
    _require(user, "admin")
    problems = validate_definitions(body.definitions)
    if problems:
        raise Problem(422, "invalid_kpis", field="definitions", problems="; ".join(problems))
    latest = (await session.exec(select(func.max(KpiVersion.version)))).one() or 0
    row = KpiVersion(version=latest + 1, effective_from=body.effective_from, definitions=body.definitions,
                     created_by=user.username)
    session.add(row)
    await audit(session, user.username, "kpi.versioned", f"v{row.version}", effective_from=body.effective_from)
    await session.commit()
    cards_changed(request)
    return {"version": row.version, "effective_from": row.effective_from}


class Breakdown(BaseModel):
    indicator: Literal[INDICATORS]
    parent_level: Literal["bank", "unit", "team"] | None = None
    parent_key: str | None = None
    level: Literal["bank", "unit", "team", "rm"]
    targets: dict[str, Amount]


@router.put("/appraisal/targets/{period}")
async def put_targets(period: PeriodPath, body: Breakdown, user: CurrentUser, session: SessionDep, request: Request):
    _require(user, "admin", "branch_head", "team_lead")
    if body.level != "rm" and not user.has("admin", "branch_head"):
        raise Problem(403, "forbidden")   # a team lead breaks the team's target down to its RMs only
    for username in body.targets if body.level == "rm" else ():
        await require_visible(session, user, username)
    if body.parent_level:
        rows = await break_down(session, period=period, indicator=body.indicator, child_level=body.level,
                                parent=(body.parent_level, body.parent_key or ""), children=body.targets,
                                set_by=user.username)
    else:
        rows = [await set_target(session, period=period, indicator=body.indicator, level=body.level, key=k, amount=a,
                                 set_by=user.username) for k, a in body.targets.items()]
    await audit(session, user.username, "targets.set", body.parent_key or body.level, period=period,
                indicator=body.indicator, targets={k: str(a) for k, a in body.targets.items()})
    await session.commit()
    cards_changed(request)
    return [{"level": r.level, "key": r.key, "indicator": r.indicator, "amount": str(r.amount)} for r in rows]


@router.post("/appraisal/target-contracts/{period}/sign", status_code=201)
async def sign_target_contract(period: PeriodPath, user: CurrentUser, session: SessionDep, request: Request):
    contract = await sign_contract(session, username=user.username, period=period, signed_on=business_today())
    await audit(session, user.username, "target_contract.signed", user.username, period=period,
                targets=contract.targets)
    await session.commit()
    cards_changed(request)
    return contract


class Plan(BaseModel):
    period: Annotated[str, Field(pattern=PERIOD.pattern)]
    evaluator: str
    subject: str
    items: list[str]
    due_date: date


@router.post("/appraisal/qualitative/plans", status_code=201)
async def create_plan(body: Plan, user: CurrentUser, session: SessionDep, request: Request):
    _require(user, "admin", "branch_head", "team_lead")
    await require_visible(session, user, body.subject)
    plan = await plan_scoring(session, period=body.period, evaluator=body.evaluator, subject=body.subject,
                              items=body.items, due_date=body.due_date, business_date=business_today())
    await session.commit()
    cards_changed(request)
    events_written(request)
    return plan


@router.put("/appraisal/qualitative/plans/{plan_id}/scores")
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


class Responsibility(BaseModel):
    loan_id: str
    username: str
    role: Literal["originated", "monitored"]
    loss_amount: Amount
    year: int


@router.post("/appraisal/responsibilities", status_code=201)
async def record_responsibility(body: Responsibility, user: CurrentUser, session: SessionDep, request: Request):
    _require(user, "risk_manager", "branch_head", "admin")
    await require_visible(session, user, body.username)
    row = NplResponsibility(**body.model_dump(), recorded_by=user.username)
    session.add(row)
    await audit(session, user.username, "npl.responsibility", body.username, loan_id=body.loan_id,
          loss_amount=str(body.loss_amount), year=body.year)
    await session.commit()
    cards_changed(request)
    return row

"""Target routes: targets broken down by month and person, and an RM signing their target contract."""
from fastapi import APIRouter, Request

from services.appraisal.api import cards_changed
from services.appraisal.models import TargetContract
from services.appraisal.schemas import Breakdown, PeriodPath, TargetLine
from services.appraisal.scope import may_set_targets, require, require_visible
from services.appraisal.service.audit import audit
from services.appraisal.service.targets import break_down, set_target, sign_contract
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today

router = APIRouter(tags=["appraisal"])


@router.put("/appraisal/targets/{period}", response_model=list[TargetLine])
async def put_targets(period: PeriodPath, body: Breakdown, user: CurrentUser, session: SessionDep, request: Request):
    require(may_set_targets(user, body.level))
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


@router.post("/appraisal/target-contracts/{period}/sign", status_code=201, response_model=TargetContract)
async def sign_target_contract(period: PeriodPath, user: CurrentUser, session: SessionDep, request: Request):
    contract = await sign_contract(session, username=user.username, period=period, signed_on=business_today())
    await audit(session, user.username, "target_contract.signed", user.username, period=period,
                targets=contract.targets)
    await session.commit()
    cards_changed(request)
    return contract

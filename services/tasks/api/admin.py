"""Admin routes: the rules' numbers (each change a new version) and the business-day calendar."""
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import select

from services.tasks.models import CalendarOverride, RuleSetting
from services.tasks.rules import (
    DEFAULTS,
    PARAM_RANGES,
    WHOLE_NUMBERS_ONLY,
    impossible_day,
    less_contact_for_higher_band,
    load_rule,
    param_in_range,
)
from services.tasks.schemas import CalendarDay, RuleChange, RulePublic
from services.tasks.scope import may_administer
from services.tasks.service.audit import audit
from services.tasks.service.calendar import announce_calendar_change, forget_calendar
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser, Principal
from shared.clock import business_today, utcnow
from shared.errors import Problem, register_messages

# Under /tasks so the gateway routes it with the rest of the tasks service.
router = APIRouter(prefix="/tasks", tags=["admin"])
register_messages({
    "admins_only": ("只有系统管理员可以修改规则与日历", "Only an administrator can change rules and the calendar"),
    "unknown_rule_param": ("规则 {rule} 没有参数 {param}", "Rule {rule} has no parameter {param}"),
    "less_contact_for_richer_band": ("{richer} 客户的联系频率不能低于 {poorer} 客户（每 {richer_months} 个月对比每 "
                                     "{poorer_months} 个月）",
                                     "{richer} customers may not be contacted less often than {poorer} customers "
                                     "(every {richer_months} months against every {poorer_months})"),
    "rule_day_impossible": ("该日期并非每年（或每月）都有", "That day does not exist in every year (or month)"),
    "rule_param_out_of_range": ("{param} 应为 {low} 到 {high} 之间的{whole}数",
                                "{param} must be a {whole}number from {low} to {high}"),
})


def _admin(user: Principal) -> None:
    if not may_administer(user):
        raise Problem(403, "admins_only")


def _public(rule) -> RulePublic:
    return RulePublic(name=rule.name, version=rule.version, kind=rule.kind, priority=rule.priority, params=rule.params)


@router.get("/rules", response_model=list[RulePublic])
async def list_rules(user: CurrentUser, session: SessionDep):
    _admin(user)
    return [_public(await load_rule(session, name)) for name in DEFAULTS]


@router.put("/rules/{name}", response_model=RulePublic)
async def change_rule(name: str, body: RuleChange, user: CurrentUser, session: SessionDep):
    """New numbers for a rule: a new version; tasks made before keep the version that made them."""
    _admin(user)
    if name not in DEFAULTS:
        raise Problem(404, "not_found")
    current = await load_rule(session, name)
    for param in body.params:
        if param not in current.params:
            raise Problem(422, "unknown_rule_param", field=f"params.{param}", rule=name, param=param)
        if not param_in_range(param, body.params[param]):
            low, high = PARAM_RANGES[param]
            raise Problem(422, "rule_param_out_of_range", field=f"params.{param}", param=param, low=low, high=high,
                          whole="整" if param in WHOLE_NUMBERS_ONLY else "")
    numbers = {k: int(v) if float(v).is_integer() else v for k, v in body.params.items()}
    params = {**current.params, **numbers}
    if name == "maintenance_visit" and (pair := less_contact_for_higher_band(params)):
        poorer, richer = pair
        raise Problem(422, "less_contact_for_richer_band", field=f"params.months_{richer}", poorer=poorer,
                      richer=richer, poorer_months=params[f"months_{poorer}"], richer_months=params[f"months_{richer}"])
    if impossible_day(name, {**current.params, **numbers}):
        raise Problem(422, "rule_day_impossible", field="params.day")
    latest = (await session.exec(select(RuleSetting.version).where(RuleSetting.name == name)
                                 .order_by(RuleSetting.version.desc()).limit(1))).first() or 0
    session.add(RuleSetting(name=name, version=latest + 1, params=params,
                            changed_by=user.username))
    audit(session, user, "rule.changed", name, now=utcnow(), version=latest + 1, params=params)
    await session.commit()
    return _public(await load_rule(session, name))


@router.get("/calendar", response_model=list[CalendarDay])
async def list_calendar(user: CurrentUser, session: SessionDep, year: Annotated[int, Query(ge=2000, le=2100)]):
    """The days of `year` that differ from an ordinary week (holidays on weekdays, 调休 weekend days)."""
    _admin(user)
    rows = (await session.exec(select(CalendarOverride).where(CalendarOverride.day >= date(year, 1, 1),
                                                              CalendarOverride.day <= date(year, 12, 31))
                               .order_by(CalendarOverride.day))).all()
    return [CalendarDay(day=r.day, business_day=r.business_day, note=r.note) for r in rows]


@router.put("/calendar/{day}", response_model=CalendarDay)
async def set_calendar_day(request: Request, day: date, body: CalendarDay, user: CurrentUser, session: SessionDep):
    _admin(user)
    row = await session.get(CalendarOverride, day) or CalendarOverride(day=day, business_day=body.business_day)
    row.business_day, row.note = body.business_day, body.note
    session.add(row)
    now = utcnow()
    audit(session, user, "calendar.changed", day, now=now, business_day=row.business_day, note=row.note)
    announce_calendar_change(session, day, row.business_day, row.note, business_date=business_today(), now=now)
    await session.commit()
    events_written(request)
    forget_calendar()
    return CalendarDay(day=day, business_day=row.business_day, note=row.note)


@router.delete("/calendar/{day}", status_code=204)
async def remove_calendar_day(request: Request, day: date, user: CurrentUser, session: SessionDep) -> None:
    """The bank's word on `day` withdrawn: it follows China's public calendar again (a day without one: 204 all
    the same, nothing announced)."""
    _admin(user)
    row = await session.get(CalendarOverride, day)
    if row is None:
        return
    await session.delete(row)
    now = utcnow()
    audit(session, user, "calendar.removed", day, now=now, business_day=row.business_day, note=row.note)
    announce_calendar_change(session, day, None, row.note, business_date=business_today(), now=now)
    await session.commit()
    events_written(request)
    forget_calendar()

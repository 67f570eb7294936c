"""Org units, teams and staff as the admin manages them; every staff change is announced as
`staff.changed` (keyed by username) so the other services know leads, grades and units without asking."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import OrgUnit, Staff, Team
from services.customer.rules import DISCRETIONARY_AUTHORITY, discretionary_authority
from services.customer.schemas import StaffCreate, StaffPublic, StaffUpdate, TeamCreate, UnitCreate
from services.customer.scope import may_administer
from services.customer.service.audit import audit
from services.customer.service.identity import hash_password
from services.customer.service.outbox import publish
from shared.auth import Principal
from shared.errors import Problem
from shared.events import StaffChanged


def _admin(actor: Principal) -> None:
    if not may_administer(actor):
        raise Problem(403, "admin_only")


def announce_staff(session: AsyncSession, staff: Staff, unit: OrgUnit, *, business_date: date, now: datetime) -> None:
    publish(session, "staff.changed", StaffChanged(
        username=staff.username, display_name=staff.display_name, roles=list(staff.roles), unit=unit.code,
        unit_path=unit.path, team=staff.team_code, grade=staff.grade, active=staff.active),
        subject=staff.username, business_date=business_date, now=now)


def public(staff: Staff, authority: dict[str, Decimal] = DISCRETIONARY_AUTHORITY) -> StaffPublic:
    """The staff record as staff administration and the person themselves see it (通融权限 included)."""
    return StaffPublic(username=staff.username, display_name=staff.display_name, roles=list(staff.roles),
                       unit=staff.unit_code, team=staff.team_code, grade=staff.grade, active=staff.active,
                       discretionary_authority=discretionary_authority(staff.grade, staff.discretionary_authority,
                                                                       authority),
                       discretionary_authority_granted=staff.discretionary_authority)


async def create_unit(session: AsyncSession, actor: Principal, cmd: UnitCreate, *, now: datetime) -> OrgUnit:
    _admin(actor)
    parent = await session.get(OrgUnit, cmd.parent) if cmd.parent else None
    if cmd.parent and parent is None:
        raise Problem(422, "unknown_unit", field="parent", unit=cmd.parent)
    unit = OrgUnit(code=cmd.code, name=cmd.name, level=cmd.level, parent_code=cmd.parent,
                   path=f"{parent.path}/{cmd.code}" if parent else cmd.code)
    await _insert(session, unit, "code", cmd.code)
    audit(session, actor, "org_unit.created", now=now, unit_path=unit.path, after=cmd.model_dump())
    return unit


async def create_team(session: AsyncSession, actor: Principal, cmd: TeamCreate, *, now: datetime) -> Team:
    _admin(actor)
    unit = await _unit(session, cmd.unit)
    team = Team(code=cmd.code, name=cmd.name, unit_code=unit.code)
    await _insert(session, team, "code", cmd.code)
    audit(session, actor, "team.created", now=now, unit_path=unit.path, after=cmd.model_dump())
    return team


async def create_staff(session: AsyncSession, actor: Principal, cmd: StaffCreate, *, business_date: date,
                       now: datetime, authority: dict[str, Decimal] = DISCRETIONARY_AUTHORITY) -> Staff:
    _admin(actor)
    unit = await _unit(session, cmd.unit)
    await _team(session, cmd.team)
    staff = Staff(username=cmd.username, display_name=cmd.display_name, password_hash=hash_password(cmd.password),
                  roles=list(cmd.roles), unit_code=unit.code, team_code=cmd.team, grade=cmd.grade,
                  active=True if cmd.active is None else cmd.active,
                  discretionary_authority=cmd.discretionary_authority)
    await _insert(session, staff, "username", cmd.username)
    announce_staff(session, staff, unit, business_date=business_date, now=now)
    audit(session, actor, "staff.created", now=now, unit_path=unit.path,
          after=public(staff, authority).model_dump(mode="json"))
    return staff


async def update_staff(session: AsyncSession, actor: Principal, username: str, cmd: StaffUpdate, *,
                       business_date: date, now: datetime,
                       authority: dict[str, Decimal] = DISCRETIONARY_AUTHORITY) -> Staff:
    _admin(actor)
    staff = (await session.exec(select(Staff).where(Staff.username == username))).first()
    if staff is None:
        raise Problem(404, "not_found")
    before = public(staff, authority).model_dump(mode="json")
    changes = cmd.model_dump(exclude_unset=True)
    unit = await _unit(session, changes.get("unit", staff.unit_code))
    if "team" in changes:
        await _team(session, changes["team"])
    for field, column in (("display_name", "display_name"), ("roles", "roles"), ("unit", "unit_code"),
                          ("team", "team_code"), ("grade", "grade"), ("active", "active"),
                          ("discretionary_authority", "discretionary_authority")):
        if field in changes:
            setattr(staff, column, changes[field])
    session.add(staff)
    announce_staff(session, staff, unit, business_date=business_date, now=now)
    audit(session, actor, "staff.changed", now=now, unit_path=unit.path, before=before,
          after=public(staff, authority).model_dump(mode="json"))
    return staff


def staff_in_scope(actor: Principal):
    """A query of the staff the actor sees: admins everyone; others the staff of their own unit subtree."""
    stmt = select(Staff).join(OrgUnit, col(OrgUnit.code) == col(Staff.unit_code))
    return stmt if may_administer(actor) else stmt.where(actor.subtree(OrgUnit.path))


async def _unit(session: AsyncSession, code: str) -> OrgUnit:
    unit = await session.get(OrgUnit, code)
    if unit is None:
        raise Problem(422, "unknown_unit", field="unit", unit=code)
    return unit


async def _team(session: AsyncSession, code: str | None) -> None:
    if code is not None and await session.get(Team, code) is None:
        raise Problem(422, "unknown_team", field="team", team=code)


async def _insert(session: AsyncSession, row, field: str, code: str) -> None:
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Problem(409, "duplicate_code", field=field, value=code) from None

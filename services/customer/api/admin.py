"""Admin routes (org units, teams, staff) and the audit trail for auditors."""
import uuid
from datetime import date, datetime, time, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, BaseModel, BeforeValidator
from sqlmodel import col, or_, select

from services.customer.api.deps import AUDITED
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import AuditEntry, Staff
from services.customer.schemas import Page, StaffCreate, StaffPublic, StaffUpdate, TeamCreate, UnitCreate
from services.customer.scope import may_administer, may_read_audit
from services.customer.service.staff import create_staff, create_team, create_unit, public, staff_in_scope, update_staff
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import BANK_TZ, business_today, utcnow
from shared.errors import Problem

router = APIRouter(tags=["admin"], dependencies=AUDITED)


def _instant(value):
    """A bound of the audit filter: a date means its midnight at the bank; a time needs its zone, and
    must exist in UTC (0001-01-01T00:00+14:00 does not). PostgreSQL's bigint bounds after_seq."""
    if isinstance(value, str) and len(value) == 10:
        value = datetime.combine(date.fromisoformat(value), time(), BANK_TZ)
    return value


def _in_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timezone required")
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("out of range") from None


Instant = Annotated[datetime, BeforeValidator(_instant), AfterValidator(_in_utc)]
MAX_SEQ = 2**63 - 1


class AuditPublic(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    customer_id: uuid.UUID | None
    cif: str | None
    request_id: str | None
    client: str | None
    before: dict | None
    after: dict | None


@router.post("/org/units", status_code=201, response_model=UnitCreate)
async def add_unit(body: UnitCreate, user: CurrentUser, session: SessionDep):
    await create_unit(session, user, body, now=utcnow())
    await session.commit()
    return body


@router.post("/org/teams", status_code=201, response_model=TeamCreate)
async def add_team(body: TeamCreate, user: CurrentUser, session: SessionDep):
    await create_team(session, user, body, now=utcnow())
    await session.commit()
    return body


@router.get("/staff", response_model=Page[StaffPublic])
async def list_staff(request: Request, user: CurrentUser, session: SessionDep, limit: Limit = 50,
                     cursor: Cursor = None,
                     q: Annotated[str | None, Query(max_length=100, description="username (prefix) or "
                                                    "display name (contains)")] = None):
    """Staff in the caller's unit subtree (an admin: everyone), by username."""
    stmt = staff_in_scope(user)
    if q:
        stmt = stmt.where(or_(col(Staff.username).startswith(q.lower()), col(Staff.display_name).contains(q)))
    rows, next_cursor = await page(session, stmt, [(Staff.username, False)], limit, cursor)
    authority = request.app.state.settings.discretionary_authority
    return Page(items=[public(s, authority) for s in rows], next_cursor=next_cursor)


@router.post("/staff", status_code=201, response_model=StaffPublic)
async def add_staff(request: Request, body: StaffCreate, user: CurrentUser, session: SessionDep):
    authority = request.app.state.settings.discretionary_authority
    staff = await create_staff(session, user, body, business_date=business_today(), now=utcnow(), authority=authority)
    await session.commit()
    events_written(request)
    return public(staff, authority)


@router.patch("/staff/{username}", response_model=StaffPublic)
async def change_staff(request: Request, username: str, body: StaffUpdate, user: CurrentUser, session: SessionDep):
    authority = request.app.state.settings.discretionary_authority
    staff = await update_staff(session, user, username, body, business_date=business_today(), now=utcnow(),
                               authority=authority)
    await session.commit()
    events_written(request)
    return public(staff, authority)


@router.get("/audit", response_model=Page[AuditPublic])
async def audit_trail(user: CurrentUser, session: SessionDep, customer_id: uuid.UUID | None = None,
                      actor: str | None = None, from_: Annotated[Instant | None, Query(alias="from")] = None,
                      to: Instant | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                      cursor: Cursor = None, after_seq: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None):
    """Auditors read their unit subtree's trail, admins all of it; oldest first, page with the cursor
    (or after_seq, the last seq read)."""
    if not may_read_audit(user):
        raise Problem(403, "auditors_only")
    stmt = select(AuditEntry)
    if not may_administer(user):
        stmt = stmt.where(user.subtree(AuditEntry.unit_path))
    filters = [(customer_id, lambda: AuditEntry.customer_id == customer_id), (actor, lambda: AuditEntry.actor == actor),
               (from_, lambda: AuditEntry.at >= from_), (to, lambda: AuditEntry.at < to),
               (after_seq, lambda: AuditEntry.seq > after_seq)]
    for value, clause in filters:
        if value is not None:
            stmt = stmt.where(clause())
    rows, next_cursor = await page(session, stmt, [(AuditEntry.seq, False)], limit, cursor)
    return Page(items=[AuditPublic.model_validate(r, from_attributes=True) for r in rows], next_cursor=next_cursor)

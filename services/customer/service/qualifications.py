"""Staff qualification records (岗位资质认证): recorded by an admin or the branch head over the staff
member, kept as they were entered; an RM without a valid one on the day cannot be made A岗 or B岗."""
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import OrgUnit, Staff, StaffQualification
from services.customer.rules import qualified_on
from services.customer.scope import may_record_qualification
from services.customer.service.audit import audit
from shared.auth import Principal
from shared.errors import Problem


async def staff_unit_path(session: AsyncSession, actor: Principal, username: str) -> str:
    """The staff member's unit, when the actor's scope reaches it (else 404: existence is private)."""
    path = (await session.exec(select(OrgUnit.path).join(Staff, Staff.unit_code == OrgUnit.code)
                               .where(Staff.username == username))).first()
    if path is None or not (actor.has("admin") or actor.covers_unit(path)):
        raise Problem(404, "not_found")
    return path


async def record_qualification(session: AsyncSession, actor: Principal, username: str, *, exam: str,
                               passed_on: date, expires_on: date, now: datetime) -> StaffQualification:
    if not may_record_qualification(actor):
        raise Problem(403, "qualification_recorders")
    unit_path = await staff_unit_path(session, actor, username)
    if expires_on <= passed_on:
        raise Problem(422, "qualification_expiry", field="expires_on")
    row = StaffQualification(username=username, exam=exam, passed_on=passed_on, expires_on=expires_on,
                             recorded_by=actor.username, recorded_at=now)
    session.add(row)
    audit(session, actor, "staff.qualification_recorded", now=now, unit_path=unit_path,
          after={"username": username, "exam": exam, "passed_on": str(passed_on), "expires_on": str(expires_on)})
    return row


async def qualifications_of(session: AsyncSession, username: str) -> list[StaffQualification]:
    return list((await session.exec(select(StaffQualification).where(StaffQualification.username == username)
                                    .order_by(StaffQualification.passed_on))).all())


async def require_qualified(session: AsyncSession, username: str, day: date, field: str) -> None:
    if not qualified_on(await qualifications_of(session, username), day):
        raise Problem(409, "owner_unqualified", field=field, owner=username, day=str(day))

"""Who owns a customer (A岗 and B岗), effective-dated: assign, transfer, transfer requests, claims.

Every change closes the current row of that role and opens a new one at the same instant, publishes
`customer.assigned` with effective_from and is audited — all staged in the caller's transaction, so a
handover of many customers commits or rolls back as one.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Customer, CustomerOwnership, OrgUnit, Staff
from services.customer.rules import grade_allows
from services.customer.scope import leads
from services.customer.service.audit import audit
from services.customer.service.outbox import publish
from services.customer.service.qualifications import require_qualified
from shared.auth import Principal
from shared.errors import Problem
from shared.events import CustomerAssigned


@dataclass(frozen=True)
class Owner:
    staff: Staff
    unit: OrgUnit


async def find_owner(session: AsyncSession, username: str, field: str) -> Owner:
    """An active customer manager, or a 422 naming the field."""
    row = (await session.exec(select(Staff, OrgUnit).join(OrgUnit, OrgUnit.code == Staff.unit_code)
                              .where(Staff.username == username, Staff.active))).first()
    if row is None:
        raise Problem(422, "unknown_owner", field=field, owner=username)
    if "rm" not in row[0].roles:
        raise Problem(422, "owner_not_rm", field=field, owner=username)
    return Owner(*row)


async def owner_in_scope(session: AsyncSession, actor: Principal, username: str, field: str) -> Owner:
    """An owner the actor may hand customers to: an admin anyone, a head their subtree, a lead their team."""
    owner = await find_owner(session, username, field)
    if not (leads(actor, owner.staff.team_code, owner.unit.path) or owner.staff.username == actor.username):
        raise Problem(422, "owner_out_of_scope", field=field, owner=username)
    return owner


async def assign_role(session: AsyncSession, actor: Principal | str, customer: Customer, role: str, owner: Owner | None,
                      reason: str, *, business_date: date, now: datetime, field: str = "to") -> None:
    """Stage one ownership change of a customer on record: its version (the ETag) moves."""
    await give_role(session, actor, customer, role, owner, reason, business_date=business_date, now=now, field=field)
    customer.version += 1


async def give_role(session: AsyncSession, actor: Principal | str, customer: Customer, role: str, owner: Owner | None,
                    reason: str, *, business_date: date, now: datetime, field: str = "to") -> None:
    """Stage `role` (A or B) going to `owner` (None: vacant) effective `now`: the history row, the
    event and the audit entry. The version is the caller's (assign_role, or a registration at 1)."""
    username = owner.staff.username if owner else None
    current = customer.owner if role == "A" else customer.backup_owner
    if username is not None and username == current:
        raise Problem(409, "same_owner", field=field, owner=username)
    if username is not None and username == (customer.backup_owner if role == "A" else customer.owner):
        raise Problem(409, "backup_is_primary", field=field)
    if owner and not grade_allows(owner.staff.grade, customer.tier):
        raise Problem(422, "grade_cap", field=field, owner=username, grade=owner.staff.grade or "-",
                      tier=customer.tier, cif=customer.cif)
    if owner:   # 岗位资质认证 before owning customers, as A岗 or B岗 alike
        await require_qualified(session, owner.staff.username, business_date, field)
    before = {"role": role, "owner": current}
    for row in (await session.exec(select(CustomerOwnership).where(
            CustomerOwnership.customer_id == customer.id, CustomerOwnership.role == role,
            CustomerOwnership.effective_to.is_(None)))).all():
        row.effective_to = now
        session.add(row)
    if role == "A":
        customer.owner, customer.owner_team = username, owner.staff.team_code if owner else None
        if owner:  # the customer is booked where its A岗 manager works
            customer.unit_code, customer.unit_path = owner.unit.code, owner.unit.path
    else:
        customer.backup_owner, customer.backup_team = username, owner.staff.team_code if owner else None
    session.add(customer)
    if owner and username:
        session.add(CustomerOwnership(customer_id=customer.id, role=role, owner=username,
                                      owner_team=owner.staff.team_code, effective_from=now, reason=reason,
                                      assigned_by=actor if isinstance(actor, str) else actor.username))
    publish(session, "customer.assigned", CustomerAssigned(
        customer_id=customer.cif, customer_ref=str(customer.id), role=role, owner=username,
        owner_team=owner.staff.team_code if owner else None, unit=customer.unit_code, unit_path=customer.unit_path,
        previous_owner=current, effective_from=now, reason=reason, government_related=customer.government_related),
        subject=customer.cif, business_date=business_date, now=now)
    audit(session, actor, "ownership.changed", now=now, customer=customer, before=before,
          after={"role": role, "owner": username, "reason": reason, "effective_from": now.isoformat()})


HISTORY_ORDER = [(CustomerOwnership.effective_from, False), (CustomerOwnership.role, False),
                 (CustomerOwnership.id, False)]   # oldest first; both roles change at one instant on a handover

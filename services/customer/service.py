"""Service functions for customers: the one way in for HTTP (and later Kafka) to change the book."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Customer, CustomerOwnership, OrgUnit, Staff
from services.customer.schemas import CustomerCreate
from services.customer.scope import WRITERS
from shared.auth import Principal
from shared.errors import Problem, register_messages
from shared.events import CUSTOMER_TOPIC, CustomerAssigned, CustomerRegistered
from shared.outbox import record_event

SOURCE = "customer-service"
register_messages({
    "duplicate_cif": ("客户号 {cif} 已存在", "Customer number {cif} already exists"),
    "unknown_owner": ("客户经理 {owner} 不存在或已停用", "No active customer manager named {owner}"),
    "owner_not_rm": ("{owner} 不是客户经理，不能管户", "{owner} is not a customer manager and cannot own customers"),
    "owner_out_of_scope": ("不能把客户分配给您管辖范围外的客户经理 {owner}",
                           "You cannot assign customers to {owner}, who is outside your scope"),
    "rm_assigns_self": ("客户经理只能为自己登记客户", "A customer manager can only register customers for themselves"),
    "transfer_needs_lead": ("客户移交须由团队主管或以上审批", "A transfer needs a team lead or above"),
    "same_owner": ("客户已由 {owner} 管户", "The customer is already owned by {owner}"),
})


@dataclass(frozen=True)
class Owner:
    staff: Staff
    unit: OrgUnit


async def _owner(session: AsyncSession, actor: Principal, username: str, field: str) -> Owner:
    row = (await session.exec(select(Staff, OrgUnit).join(OrgUnit, OrgUnit.code == Staff.unit_code)
                              .where(Staff.username == username, Staff.active))).first()
    if row is None:
        raise Problem(422, "unknown_owner", field=field, owner=username)
    staff, unit = row
    if "rm" not in staff.roles:
        raise Problem(422, "owner_not_rm", field=field, owner=username)
    in_scope = (actor.has("admin") or (actor.has("branch_head") and actor.covers_unit(unit.path))
                or (actor.has("team_lead") and staff.team_code == actor.team) or staff.username == actor.username)
    if not in_scope:
        raise Problem(422, "owner_out_of_scope", field=field, owner=username)
    return Owner(staff, unit)


def _assigned(c: Customer, previous: str | None, at: datetime, reason: str | None) -> CustomerAssigned:
    return CustomerAssigned(customer_id=c.cif, customer_ref=str(c.id), role="A", owner=c.owner, owner_team=c.owner_team,
                            unit=c.unit_code, unit_path=c.unit_path, previous_owner=previous, effective_from=at,
                            reason=reason, government_related=c.government_related)


async def register_customer(session: AsyncSession, actor: Principal, cmd: CustomerCreate, *,
                            business_date: date, now: datetime) -> Customer:
    if not actor.has(*WRITERS):
        raise Problem(403, "forbidden")
    owner_name = cmd.owner or (actor.username if actor.has("rm") else None)
    if actor.roles == ("rm",) and owner_name != actor.username:
        raise Problem(403, "rm_assigns_self", field="owner")
    owner = await _owner(session, actor, owner_name, "owner") if owner_name else None
    unit = owner.unit if owner else await session.get(OrgUnit, actor.unit)
    customer = Customer(cif=cmd.cif, name=cmd.name, kind=cmd.kind, government_related=cmd.government_related,
                        industry=cmd.industry, birthday=cmd.birthday, phone=cmd.phone, national_id=cmd.national_id,
                        unit_code=unit.code, unit_path=unit.path, created_at=now,
                        owner=owner.staff.username if owner else None,
                        owner_team=owner.staff.team_code if owner else None)
    session.add(customer)
    try:
        await session.flush()  # the unique CIF index decides, atomically, not a check-then-insert
    except IntegrityError:
        await session.rollback()
        raise Problem(409, "duplicate_cif", field="cif", cif=cmd.cif) from None
    record_event(session, CUSTOMER_TOPIC, "customer.registered", CustomerRegistered(
        customer_id=customer.cif, customer_ref=str(customer.id), name=customer.name, kind=customer.kind,
        government_related=customer.government_related, unit=unit.code, unit_path=unit.path),
        subject=customer.cif, business_date=business_date, source=SOURCE, now=now)
    if owner:
        session.add(CustomerOwnership(customer_id=customer.id, role="A", owner=customer.owner,
                                      owner_team=customer.owner_team, effective_from=now,
                                      reason="registered", assigned_by=actor.username))
        record_event(session, CUSTOMER_TOPIC, "customer.assigned", _assigned(customer, None, now, "registered"),
                     subject=customer.cif, business_date=business_date, source=SOURCE, now=now)
    await session.commit()
    return customer


async def transfer_customer(session: AsyncSession, actor: Principal, customer: Customer, to: str, reason: str, *,
                            business_date: date, now: datetime) -> Customer:
    """Move the A岗 ownership from now on; the old assignment is closed, never overwritten."""
    if not actor.has("team_lead", "branch_head", "admin"):
        raise Problem(403, "transfer_needs_lead")
    owner = await _owner(session, actor, to, "to")
    if customer.owner == owner.staff.username:
        raise Problem(409, "same_owner", field="to", owner=to)
    current = (await session.exec(select(CustomerOwnership).where(
        CustomerOwnership.customer_id == customer.id, CustomerOwnership.role == "A",
        CustomerOwnership.effective_to.is_(None)))).first()
    if current:
        current.effective_to = now
        session.add(current)
    previous = customer.owner
    customer.owner, customer.owner_team = owner.staff.username, owner.staff.team_code
    customer.unit_code, customer.unit_path = owner.unit.code, owner.unit.path
    session.add(customer)
    session.add(CustomerOwnership(customer_id=customer.id, role="A", owner=customer.owner, owner_team=customer.owner_team,
                                  effective_from=now, reason=reason, assigned_by=actor.username))
    record_event(session, CUSTOMER_TOPIC, "customer.assigned", _assigned(customer, previous, now, reason),
                 subject=customer.cif, business_date=business_date, source=SOURCE, now=now)
    await session.commit()
    return customer

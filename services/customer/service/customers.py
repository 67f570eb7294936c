"""Customers: registering one (its tier starts from what core banking already told us), changing master
fields under optimistic concurrency (ETag = version), and moving a prospect along the pipeline."""
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Customer, OrgUnit
from services.customer.schemas import CustomerCreate, CustomerUpdate
from services.customer.scope import may_write, registers_only_for_self, visible_customers
from services.customer.service.audit import audit
from services.customer.service.industry_policy import policies
from services.customer.service.outbox import publish
from services.customer.service.ownership import give_role, owner_in_scope
from services.customer.service.tiers import announce_tier, tier_basis, tier_rules
from shared.auth import Principal
from shared.errors import Problem
from shared.events import CustomerChanged, CustomerRegistered, CustomerWon

STAGES = ("lead", "researched", "contacted", "needs_found", "proposal", "negotiation", "won", "lost")


async def register_customer(session: AsyncSession, actor: Principal, cmd: CustomerCreate, *,
                            business_date: date, now: datetime) -> Customer:
    """Stage a new customer at version 1 with its events (registered, then tier-changed when the holdings
    on record already earn a tier, then assigned) and audit entry."""
    if not may_write(actor):
        raise Problem(403, "forbidden")
    owner_name = cmd.owner or (actor.username if actor.has("rm") else None)
    if registers_only_for_self(actor) and owner_name != actor.username:
        raise Problem(403, "rm_assigns_self", field="owner")
    owner = await owner_in_scope(session, actor, owner_name, "owner") if owner_name else None
    unit = owner.unit if owner else await session.get(OrgUnit, actor.unit)
    if unit is None:   # a token names the caller's unit, which the org tree holds
        raise Problem(422, "unknown_unit", unit=actor.unit)
    customer = Customer(**cmd.model_dump(exclude={"owner"}), unit_code=unit.code, unit_path=unit.path,
                        created_at=now, prospect_stage="lead" if cmd.status == "prospect" else None, version=1)
    session.add(customer)
    try:
        await session.flush()  # the unique CIF index decides, atomically, not a check-then-insert
    except IntegrityError:
        await session.rollback()
        raise Problem(409, "duplicate_cif", field="cif", cif=cmd.cif) from None
    policy = (await policies(session, business_date)).get(customer.industry or "")
    publish(session, "customer.registered", CustomerRegistered(
        customer_id=customer.cif, customer_ref=str(customer.id), name=customer.name, kind=customer.kind,
        government_related=customer.government_related, unit=unit.code, unit_path=unit.path,
        birthday=customer.birthday, industry_policy=policy), subject=customer.cif, business_date=business_date, now=now)
    audit(session, actor, "customer.registered", now=now, customer=customer, after=cmd.model_dump())
    # core banking may already have told us about this CIF: the tier starts from what we know
    basis = await tier_basis(session, customer.cif, customer.kind, business_date)
    tier = tier_rules().tier(customer.kind, basis)
    if tier != customer.tier:
        announce_tier(session, customer, tier, basis, business_date=business_date, now=now)
    if owner:
        await give_role(session, actor, customer, "A", owner, "registered", business_date=business_date,
                        now=now, field="owner")
    return customer


async def customer_for_update(session: AsyncSession, actor: Principal, customer_id, if_match: str | None) -> Customer:
    """The customer in scope, locked, at the version the caller read — or 404 / 428 / 412."""
    customer = (await session.exec(select(Customer).where(Customer.id == customer_id, visible_customers(actor))
                                   .with_for_update())).first()
    if customer is None:
        raise Problem(404, "not_found")
    if not may_write(actor):
        raise Problem(403, "forbidden")
    if not if_match:
        raise Problem(428, "if_match_required", field="If-Match")
    if if_match.strip().removeprefix("W/") != etag(customer):
        raise Problem(412, "stale_write", field="If-Match")
    return customer


def etag(customer: Customer) -> str:
    return f'"{customer.version}"'


# Master fields other services keep a copy of: a change to one of them is published (customer.changed).
SHARED_FIELDS = ("name",)


async def update_customer(session: AsyncSession, actor: Principal, customer: Customer, cmd: CustomerUpdate, *,
                          business_date: date, now: datetime) -> Customer:
    """Apply the changed master fields at the next version; a change to a field other services keep
    (the name) goes out as customer.changed in the same transaction."""
    changes = cmd.model_dump(exclude_unset=True)
    before = {k: getattr(customer, k) for k in changes}
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.version += 1
    session.add(customer)
    audit(session, actor, "customer.changed", now=now, customer=customer, before=before, after=changes)
    shared = [f for f in SHARED_FIELDS if f in changes and changes[f] != before[f]]
    if shared:
        publish(session, "customer.changed", CustomerChanged(
            customer_id=customer.cif, customer_ref=str(customer.id), name=customer.name, changed=shared),
            subject=customer.cif, business_date=business_date, now=now)
    return customer


async def move_prospect(session: AsyncSession, actor: Principal, customer: Customer, stage: str,
                        lost_reason: str | None, *, business_date: date, now: datetime) -> Customer:
    """Forward along the pipeline; won makes a new customer (customer.won), lost needs a reason."""
    current = customer.prospect_stage
    if current is None:
        raise Problem(409, "not_a_prospect", field="stage")
    if current in ("won", "lost"):
        raise Problem(409, "stage_closed", field="stage", stage=current)
    if stage not in ("won", "lost") and STAGES.index(stage) <= STAGES.index(current):
        raise Problem(422, "stage_backwards", field="stage", current=current, stage=stage)
    if stage == "lost" and not lost_reason:
        raise Problem(422, "lost_reason_required", field="lost_reason")
    before = {"prospect_stage": current, "status": customer.status}
    customer.prospect_stage, customer.lost_reason = stage, lost_reason if stage == "lost" else None
    if stage == "won":
        customer.status = "new"
        publish(session, "customer.won", CustomerWon(
            customer_id=customer.cif, customer_ref=str(customer.id), owner=customer.owner,
            source_channel=customer.source_channel), subject=customer.cif, business_date=business_date, now=now)
    customer.version += 1
    session.add(customer)
    audit(session, actor, "prospect.moved", now=now, customer=customer, before=before,
          after={"prospect_stage": stage, "lost_reason": lost_reason})
    return customer

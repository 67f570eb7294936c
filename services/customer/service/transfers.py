"""Moving a customer between managers: a lead's direct transfer, an RM's transfer request that a
lead or above decides (never the requester: separation of duties), and claims — an RM may claim an
unowned customer of their unit, but never one someone else owns (不抢客户): that attempt is refused
and recorded for the claimant's team lead."""
import uuid
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import ClaimRefusal, Customer, TransferRequest
from services.customer.scope import may_approve, may_claim, may_write, visible_customers
from services.customer.service.audit import audit
from services.customer.service.decisions import TRANSFER, settle
from services.customer.service.ownership import assign_role, find_owner, owner_in_scope
from shared.auth import Principal
from shared.errors import Problem


async def transfer_customer(session: AsyncSession, actor: Principal, customer: Customer, to: str, reason: str,
                            role: str = "A", *, business_date: date, now: datetime) -> Customer:
    """A lead or above moves the A岗 (or B岗) ownership from now on; history is kept."""
    if not may_approve(actor):
        raise Problem(403, "transfer_needs_lead")
    owner = await owner_in_scope(session, actor, to, "to")
    await assign_role(session, actor, customer, role, owner, reason, business_date=business_date, now=now)
    return customer


async def request_transfer(session: AsyncSession, actor: Principal, customer: Customer, to: str, reason: str,
                           role: str, *, now: datetime) -> TransferRequest:
    if not may_write(actor):
        raise Problem(403, "forbidden")
    await find_owner(session, to, "to")  # the decider checks it is within their scope
    request = TransferRequest(customer_id=customer.id, role=role, to_owner=to, reason=reason,
                              requested_by=actor.username, requested_at=now, team=customer.owner_team,
                              unit_path=customer.unit_path)
    session.add(request)
    audit(session, actor, "transfer.requested", now=now, customer=customer,
          after={"to": to, "role": role, "reason": reason})
    return request


async def decide_transfer(session: AsyncSession, actor: Principal, request_id: uuid.UUID, approve: bool,
                          note: str | None, *, business_date: date, now: datetime) -> TransferRequest:
    request = await session.get(TransferRequest, request_id)
    customer = None if request is None else (await session.exec(select(Customer).where(
        Customer.id == request.customer_id, visible_customers(actor)).with_for_update())).first()
    if request is None or customer is None:
        raise Problem(404, "not_found")
    settle(TRANSFER, request, actor, approve, may_decide=may_approve(actor), requester=request.requested_by, now=now)
    request.decision_note = note
    session.add(request)
    if approve:
        owner = await owner_in_scope(session, actor, request.to_owner, "to")
        await assign_role(session, actor, customer, request.role, owner, request.reason,
                          business_date=business_date, now=now)
    audit(session, actor, f"transfer.{request.status}", now=now, customer=customer,
          after={"request": str(request.id), "note": note})
    return request


async def claim_customer(session: AsyncSession, actor: Principal, cif: str, *, business_date: date,
                         now: datetime) -> Customer | None:
    """The customer, now the claimant's; None when someone else owns it: then the refusal is staged —
    it is the record the lead reads, so the caller commits it and answers claim_refused."""
    if not may_claim(actor):
        raise Problem(403, "claim_needs_rm")
    customer = (await session.exec(select(Customer).where(Customer.cif == cif).with_for_update())).first()
    if customer is None or (customer.owner is None and not actor.covers_unit(customer.unit_path)):
        raise Problem(404, "not_found")
    if customer.owner is not None and customer.owner != actor.username:
        session.add(ClaimRefusal(customer_id=customer.id, cif=cif, claimant=actor.username, claimant_team=actor.team,
                                 owner=customer.owner, at=now, unit_path=customer.unit_path))
        audit(session, actor, "claim.refused", now=now, customer=customer, after={"owner": customer.owner})
        return None
    owner = await find_owner(session, actor.username, "cif")
    await assign_role(session, actor, customer, "A", owner, "claimed", business_date=business_date, now=now,
                      field="cif")
    return customer


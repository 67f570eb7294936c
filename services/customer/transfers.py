"""Moving a customer between managers: a lead's direct transfer, an RM's transfer request that a
lead or above decides (never the requester: separation of duties), and claims — an RM may claim an
unowned customer of their unit, but never one someone else owns (不抢客户): that attempt is refused
and recorded for the claimant's team lead."""
import uuid
from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.audit import audit
from services.customer.models import ClaimRefusal, Customer, TransferRequest
from services.customer.ownership import assign_role, find_owner, owner_in_scope
from services.customer.scope import APPROVERS, may_write, visible_customers
from shared.auth import Principal
from shared.errors import Problem, register_messages

register_messages({
    "transfer_needs_lead": ("客户移交须由团队主管或以上审批；客户经理请提交移交申请",
                            "A transfer needs a team lead or above; an RM files a transfer request"),
    "own_request": ("不能审批自己提出的申请", "You cannot decide your own request"),
    "already_decided": ("该申请已处理（{outcome}）", "This request was already decided ({outcome})"),
    "claim_refused": ("该客户已有管户客户经理，不能认领；此次认领已记录并告知团队主管",
                      "This customer already has a manager and cannot be claimed; the attempt is recorded for your lead"),
    "claim_needs_rm": ("只有客户经理可以认领客户", "Only a customer manager claims customers"),
})


async def transfer_customer(session: AsyncSession, actor: Principal, customer: Customer, to: str, reason: str,
                            role: str = "A", *, business_date: date, now: datetime) -> Customer:
    """A lead or above moves the A岗 (or B岗) ownership from now on; history is kept."""
    if not actor.has(*APPROVERS):
        raise Problem(403, "transfer_needs_lead")
    owner = await owner_in_scope(session, actor, to, "to")
    await assign_role(session, actor, customer, role, owner, reason, business_date=business_date, now=now)
    await session.commit()
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
    await session.commit()
    return request


async def decide_transfer(session: AsyncSession, actor: Principal, request_id: uuid.UUID, approve: bool,
                          note: str | None, *, business_date: date, now: datetime) -> TransferRequest:
    request = await session.get(TransferRequest, request_id)
    customer = request and (await session.exec(select(Customer).where(
        Customer.id == request.customer_id, visible_customers(actor)).with_for_update())).first()
    if customer is None:
        raise Problem(404, "not_found")
    if not actor.has(*APPROVERS):
        raise Problem(403, "transfer_needs_lead")
    if request.requested_by == actor.username:
        raise Problem(403, "own_request")
    if request.status != "pending":
        raise Problem(409, "already_decided", outcome=request.status)
    request.status, request.decided_by, request.decided_at = ("approved" if approve else "rejected"), actor.username, now
    request.decision_note = note
    session.add(request)
    if approve:
        owner = await owner_in_scope(session, actor, request.to_owner, "to")
        await assign_role(session, actor, customer, request.role, owner, request.reason,
                          business_date=business_date, now=now)
    audit(session, actor, f"transfer.{request.status}", now=now, customer=customer,
          after={"request": str(request.id), "note": note})
    await session.commit()
    return request


def visible_requests(actor: Principal):
    """Requesters see theirs; leads their team's; heads, auditors and admins their subtree."""
    if actor.has("admin"):
        return TransferRequest.id.is_not(None)
    clauses = [TransferRequest.requested_by == actor.username]
    if actor.has("team_lead") and actor.team:
        clauses.append(TransferRequest.team == actor.team)
    if actor.has("branch_head", "auditor"):
        clauses.append(actor.subtree(TransferRequest.unit_path))
    return or_(*clauses)


async def claim_customer(session: AsyncSession, actor: Principal, cif: str, *, business_date: date,
                         now: datetime) -> Customer:
    if not actor.has("rm"):
        raise Problem(403, "claim_needs_rm")
    customer = (await session.exec(select(Customer).where(Customer.cif == cif).with_for_update())).first()
    if customer is None or (customer.owner is None and not actor.covers_unit(customer.unit_path)):
        raise Problem(404, "not_found")
    if customer.owner is not None and customer.owner != actor.username:
        session.add(ClaimRefusal(customer_id=customer.id, cif=cif, claimant=actor.username, claimant_team=actor.team,
                                 owner=customer.owner, at=now, unit_path=customer.unit_path))
        audit(session, actor, "claim.refused", now=now, customer=customer, after={"owner": customer.owner})
        await session.commit()  # the refusal is the record the lead reads; it must survive the 409
        raise Problem(409, "claim_refused", field="cif")
    owner = await find_owner(session, actor.username, "cif")
    await assign_role(session, actor, customer, "A", owner, "claimed", business_date=business_date, now=now,
                      field="cif")
    await session.commit()
    return customer


def visible_refusals(actor: Principal):
    if actor.has("admin"):
        return ClaimRefusal.id.is_not(None)
    clauses = [ClaimRefusal.claimant == actor.username]
    if actor.has("team_lead") and actor.team:
        clauses.append(ClaimRefusal.claimant_team == actor.team)
    if actor.has("branch_head", "auditor"):
        clauses.append(actor.subtree(ClaimRefusal.unit_path))
    return or_(*clauses)

"""Departure handover (离岗移交): a leaving RM's whole book — every A岗 and B岗 role — moves to named
successors in ONE transaction, audited, and the caller gets the handover checklist: the open tasks and
overdue loans of those customers and the transfer requests still pending. The checklist comes from read
models this service keeps from other services' events (open tasks) and core banking (loans), never
from calls to them."""
from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import Customer, LoanHolding, OpenTask, TransferRequest
from services.customer.schemas import Checklist, Moved
from services.customer.scope import leads, may_approve
from services.customer.service.audit import audit
from services.customer.service.audits import open_departure_audit
from services.customer.service.ownership import assign_role, find_owner, owner_in_scope
from shared.auth import Principal
from shared.errors import Problem


async def hand_over(session: AsyncSession, actor: Principal, leaver: str, successors: list[str], reason: str, *,
                    business_date: date, now: datetime) -> Checklist:
    if not may_approve(actor):
        raise Problem(403, "handover_needs_lead")
    leaving = await find_owner(session, leaver, "leaver")
    if not leads(actor, leaving.staff.team_code, leaving.unit.path):
        raise Problem(404, "not_found")
    if leaver in successors:
        raise Problem(422, "successor_is_leaver", field="successors")
    heirs = [await owner_in_scope(session, actor, name, "successors") for name in successors]
    book = (await session.exec(select(Customer).where(or_(Customer.owner == leaver, Customer.backup_owner == leaver))
                               .order_by(Customer.cif).with_for_update())).all()
    moved: list[Moved] = []
    for i, customer in enumerate(book):
        for role in ("A", "B"):
            if (customer.owner if role == "A" else customer.backup_owner) != leaver:
                continue
            other = customer.backup_owner if role == "A" else customer.owner
            # round-robin over successors, skipping one who already holds the other role
            heir = next((h for k in range(len(heirs)) if (h := heirs[(i + k) % len(heirs)]).staff.username != other),
                        None)
            if heir is None and role == "A":  # the only successor is the B岗: they step up, B岗 falls vacant
                await assign_role(session, actor, customer, "B", None, f"离岗移交: {reason}",
                                  business_date=business_date, now=now, field="successors")
                heir = heirs[i % len(heirs)]
            await assign_role(session, actor, customer, role, heir, f"离岗移交: {reason}",
                              business_date=business_date, now=now, field="successors")
            moved.append(Moved(customer_id=str(customer.id), cif=customer.cif, role=role,
                               to=heir.staff.username if heir else None))
    checklist = Checklist(leaver=leaver, successors=successors, effective_from=now, moved=moved,
                          **await _pending_items(session, leaver, [c.cif for c in book], [c.id for c in book]))
    # the book moved at once (customers never wait); what the leaver did is the auditors' case from here
    checklist.departure_audit = str(open_departure_audit(session, actor.username, leaver, leaving.unit.path,
                                                         business_date=business_date, now=now).id)
    audit(session, actor, "handover", now=now, unit_path=leaving.unit.path, before={"leaver": leaver},
          after={"successors": successors, "customers": len(book), "reason": reason,
                 "open_tasks": len(checklist.open_tasks), "overdue_loans": len(checklist.overdue_loans)})
    return checklist


async def _pending_items(session: AsyncSession, leaver: str, cifs: list[str], ids: list) -> dict:
    tasks = (await session.exec(select(OpenTask).where(or_(OpenTask.assignee == leaver, OpenTask.cif.in_(cifs)))
                                .order_by(OpenTask.due_date))).all()
    loans = (await session.exec(select(LoanHolding).where(LoanHolding.cif.in_(cifs), LoanHolding.days_overdue > 0)
                                .order_by(LoanHolding.cif))).all()
    requests = (await session.exec(select(TransferRequest).where(
        TransferRequest.status == "pending",
        or_(TransferRequest.customer_id.in_(ids), TransferRequest.requested_by == leaver,
            TransferRequest.to_owner == leaver)))).all()
    return {
        "open_tasks": [{"task_id": t.task_id, "cif": t.cif, "kind": t.kind, "due_date": t.due_date.isoformat(),
                        "assignee": t.assignee} for t in tasks],
        "overdue_loans": [{"loan_id": loan.loan_id, "cif": loan.cif, "days_overdue": loan.days_overdue,
                           "outstanding": str(loan.outstanding), "classification": loan.classification}
                          for loan in loans],
        "pending_transfer_requests": [{"id": str(r.id), "customer_id": str(r.customer_id), "to": r.to_owner,
                                       "requested_by": r.requested_by} for r in requests],
    }


"""Conduct records (domain.md, "Compliance"): refusals of what customers offer, hosting reports within a
budget, outside-service requests (approved by the head in charge, two staff, a guard with cash) and yearly
commitment letters. Staff record their own; an over-budget hosting waits for the branch head's decision, an
outside service for the deputy head in charge (分管行长) — the branch head where the unit has no such deputy —
never their own."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import ConductRecord, Customer, Staff
from services.customer.rules import ControlRules
from services.customer.scope import may_decide_conduct, may_record_conduct
from services.customer.service.audit import audit
from services.customer.service.complaints import nearest_holder
from services.customer.service.decisions import CONDUCT, settle
from shared.auth import Principal
from shared.errors import Problem


def over_budget(rules: ControlRules, cost: Decimal) -> bool:
    return cost > rules.hosting_budget


async def record_conduct(session: AsyncSession, actor: Principal, kind: str, *, occurred_on: date,
                         details: dict, customer: Customer | None = None, amount: Decimal | None = None,
                         pending: bool = False, now: datetime) -> ConductRecord:
    if not may_record_conduct(actor):
        raise Problem(403, "conduct_by_staff")
    row = ConductRecord(kind=kind, staff=actor.username, team=actor.team, unit_path=actor.unit_path,
                        customer_id=customer.id if customer else None, cif=customer.cif if customer else None,
                        occurred_on=occurred_on, amount=amount, details=details,
                        status="pending" if pending else "recorded", created_at=now)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Problem(409, "commitment_signed", field="year", year=occurred_on.year) from None
    audit(session, actor, f"conduct.{kind}", now=now, customer=customer, unit_path=actor.unit_path,
          after={"record": str(row.id), "amount": str(amount) if amount is not None else None, "status": row.status})
    return row


async def second_staff_checked(session: AsyncSession, actor: Principal, username: str) -> None:
    """上门服务 needs two staff: the second is another active member of staff."""
    found = (await session.exec(select(Staff.username).where(Staff.username == username, Staff.active))).first()
    if username == actor.username or found is None:
        raise Problem(422, "second_staff", field="second_staff")


async def decide(session: AsyncSession, actor: Principal, record: ConductRecord, approve: bool, note: str | None, *,
                 now: datetime) -> ConductRecord:
    deputy = record.kind == "outside_service" and \
        await nearest_holder(session, "deputy_head", record.unit_path, None) is not None
    settle(CONDUCT, record, actor, approve, may_decide=may_decide_conduct(actor, record.kind, deputy),
           requester=record.staff, now=now)
    record.details = {**record.details, "decision_note": note}
    session.add(record)
    audit(session, actor, f"conduct.{record.kind}_decided", now=now, unit_path=record.unit_path,
          after={"record": str(record.id), "status": record.status})
    return record

"""What the customer routes share: the customer in the caller's scope (else 404), and unmasked reads
that are allowed only to some roles and always leave an audit entry."""
import uuid
from typing import Annotated

from fastapi import Depends, Query
from sqlmodel import select

from services.customer.models import Customer
from services.customer.scope import visible_customers
from services.customer.service.audit import audit, remember_client
from services.customer.service.pii import unmask_allowed
from shared.auth import Principal
from shared.clock import utcnow
from shared.errors import Problem

AUDITED = [Depends(remember_client)]   # router dependency: audit entries know where a request came from
Unmask = Annotated[bool, Query(description="full national ID and phones (RM, lead, branch head); audited")]


async def in_scope(session, user: Principal, customer_id: uuid.UUID) -> Customer:
    customer = (await session.exec(select(Customer).where(Customer.id == customer_id,
                                                          visible_customers(user)))).first()
    if customer is None:  # outside scope looks exactly like absent: existence is private
        raise Problem(404, "not_found")
    return customer


async def unmasked_read(session, user: Principal, unmask: bool, customers: list[Customer], what: str) -> bool:
    """True when this response may carry full PII; then each customer shown is audited (and committed)."""
    if not unmask_allowed(user, unmask):
        return False
    for customer in customers:
        audit(session, user, "pii.unmasked_read", now=utcnow(), customer=customer, after={"view": what})
    await session.commit()
    return True

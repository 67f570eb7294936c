"""What the customer routes share: the customer in the caller's scope (else 404), unmasked reads that are
allowed only to some roles and always leave an audit entry, and customers as the API shows them."""
import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Query
from sqlmodel import select

from services.customer.models import Customer
from services.customer.schemas import CustomerPublic
from services.customer.scope import visible_customers
from services.customer.service.audit import audit, remember_client
from services.customer.service.industry_policy import policies
from services.customer.service.pii import unmask_allowed
from shared.auth import Principal
from shared.clock import business_today, utcnow
from shared.errors import Problem

AUDITED = [Depends(remember_client)]   # router dependency: audit entries know where a request came from
Unmask = Annotated[bool, Query(description="full national ID and phones (RM, lead, branch head); audited")]


async def in_scope(session, user: Principal, customer_id: uuid.UUID) -> Customer:
    customer = (await session.exec(select(Customer).where(Customer.id == customer_id,
                                                          visible_customers(user)))).first()
    if customer is None:  # outside scope looks exactly like absent: existence is private
        raise Problem(404, "not_found")
    return customer


async def unmasked_read(session, user: Principal, unmask: bool, customers: Sequence[Customer], what: str) -> bool:
    """True when this response may carry full PII; then each customer shown is audited (and committed)."""
    if not unmask_allowed(user, unmask):
        return False
    for customer in customers:
        audit(session, user, "pii.unmasked_read", now=utcnow(), customer=customer, after={"view": what})
    await session.commit()
    return True


async def shown(session, customers: Sequence[Customer], unmasked: bool = False) -> list[CustomerPublic]:
    """Customers as the API shows them, each marked with its industry's policy in effect today."""
    today = await policies(session, business_today())
    return [CustomerPublic.of(c, unmasked, today.get(c.industry or "")) for c in customers]


async def shown_one(session, customer: Customer, unmasked: bool = False) -> CustomerPublic:
    [public] = await shown(session, [customer], unmasked)
    return public

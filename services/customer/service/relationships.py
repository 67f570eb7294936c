"""Relationships between customers (group parent/subsidiary, upstream/downstream, related party) and
key contacts with their role. A key-contact change restarts marketing: `customer.contact-changed`."""
from datetime import date, datetime

from services.customer.models import Customer, KeyContact, Relationship
from services.customer.schemas import RelationshipCreate
from services.customer.service.audit import audit
from services.customer.service.outbox import publish
from shared.auth import Principal
from shared.events import CustomerContactChanged


def add_relationship(session, actor: Principal, customer: Customer, cmd: RelationshipCreate, *,
                     now: datetime) -> Relationship:
    row = Relationship(customer_id=customer.id, **cmd.model_dump())
    session.add(row)
    audit(session, actor, "relationship.added", now=now, customer=customer, after=cmd.model_dump())
    return row


def change_contact(session, actor: Principal, customer: Customer, contact: KeyContact, change: str, *,
                   business_date: date, now: datetime) -> KeyContact:
    """Stage the contact row (added / removed) with its event and audit entry."""
    session.add(contact)
    publish(session, "customer.contact-changed", CustomerContactChanged(
        customer_id=customer.cif, customer_ref=str(customer.id), contact_name=contact.name, contact_role=contact.role,
        change=change, owner=customer.owner), subject=customer.cif, business_date=business_date, now=now)
    audit(session, actor, f"contact.{change}", now=now, customer=customer,
          after={"name": contact.name, "role": contact.role, "phone": contact.phone})
    return contact

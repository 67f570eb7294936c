"""Relationships between customers (group parent/subsidiary, upstream/downstream, related party) and
key contacts with their role. A key-contact change restarts marketing: `customer.contact-changed`."""
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field as PField
from sqlmodel import Field, SQLModel

from services.customer.audit import audit
from services.customer.models import Customer
from services.customer.pii import mask_phone
from services.customer.validation import CifStr, MobilePhone
from shared.auth import Principal
from shared.events import CUSTOMER_TOPIC, CustomerContactChanged
from shared.outbox import record_event


class Relationship(SQLModel, table=True):
    __tablename__ = "relationship"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    kind: str = Field(max_length=30)
    related_cif: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=300)


class KeyContact(SQLModel, table=True):
    __tablename__ = "key_contact"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=60)
    phone: str | None = Field(default=None, max_length=32)
    active: bool = True


class RelationshipCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["group_parent", "group_subsidiary", "upstream", "downstream", "related_party"]
    related_cif: CifStr
    note: Annotated[str, PField(max_length=300)] | None = None


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, PField(min_length=1, max_length=100)]
    role: Annotated[str, PField(min_length=1, max_length=60, description="e.g. finance director (财务总监)")]
    phone: MobilePhone | None = None


class ContactPublic(BaseModel):
    id: uuid.UUID
    name: str
    role: str
    phone: str | None
    active: bool

    @classmethod
    def of(cls, c: KeyContact, unmasked: bool = False) -> "ContactPublic":
        return cls(id=c.id, name=c.name, role=c.role, phone=c.phone if unmasked else mask_phone(c.phone),
                   active=c.active)


async def add_relationship(session, actor: Principal, customer: Customer, cmd: RelationshipCreate, *,
                           now: datetime) -> Relationship:
    row = Relationship(customer_id=customer.id, **cmd.model_dump())
    session.add(row)
    audit(session, actor, "relationship.added", now=now, customer=customer, after=cmd.model_dump())
    await session.commit()
    return row


async def change_contact(session, actor: Principal, customer: Customer, contact: KeyContact, change: str, *,
                         business_date: date, now: datetime) -> KeyContact:
    """Stage the contact row (added / removed) with its event and audit entry; commits."""
    session.add(contact)
    record_event(session, CUSTOMER_TOPIC, "customer.contact-changed", CustomerContactChanged(
        customer_id=customer.cif, customer_ref=str(customer.id), contact_name=contact.name, contact_role=contact.role,
        change=change, owner=customer.owner), subject=customer.cif, business_date=business_date,
        source="customer-service", now=now)
    audit(session, actor, f"contact.{change}", now=now, customer=customer,
          after={"name": contact.name, "role": contact.role, "phone": contact.phone})
    await session.commit()
    return contact

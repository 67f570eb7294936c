"""Interaction log, the RM's daily work log with spot checks, relationships and key contacts."""
import uuid
from datetime import date

from fastapi import APIRouter, Request
from sqlmodel import select

from services.customer.api.deps import AUDITED, Unmask, in_scope, unmasked_read
from services.customer.models import Interaction, KeyContact, Relationship
from services.customer.schemas import (
    ContactCreate,
    ContactPublic,
    InteractionCreate,
    InteractionPublic,
    RelationshipCreate,
)
from services.customer.scope import may_write, visible_log
from services.customer.service.interactions import log_interaction, spot_check
from services.customer.service.relationships import add_relationship, change_contact
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem

router = APIRouter(tags=["interactions"], dependencies=AUDITED)


def _public(row: Interaction) -> InteractionPublic:
    return InteractionPublic.model_validate(row, from_attributes=True)


def _writer(user) -> None:
    if not may_write(user):
        raise Problem(403, "forbidden")


@router.get("/customers/{customer_id}/interactions", response_model=list[InteractionPublic])
async def list_interactions(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    rows = (await session.exec(select(Interaction).where(Interaction.customer_id == customer.id)
                               .order_by(Interaction.occurred_on.desc(), Interaction.created_at.desc()))).all()
    return [_public(r) for r in rows]


@router.post("/customers/{customer_id}/interactions", response_model=InteractionPublic, status_code=201)
async def create_interaction(request: Request, customer_id: uuid.UUID, body: InteractionCreate, user: CurrentUser,
                             session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    row = log_interaction(session, user, customer, body, now=utcnow())
    await session.commit()
    events_written(request)
    return _public(row)


@router.get("/worklog", response_model=list[InteractionPublic])
async def worklog(user: CurrentUser, session: SessionDep, day: date, rm: str | None = None):
    """工作日志: the interactions logged for a day — the caller's own, or an RM's within the caller's scope."""
    stmt = select(Interaction).where(visible_log(user), Interaction.occurred_on == day,
                                     Interaction.rm == (rm or user.username)).order_by(Interaction.created_at)
    return [_public(r) for r in (await session.exec(stmt)).all()]


@router.post("/interactions/{interaction_id}/spot-check", response_model=InteractionPublic)
async def mark_spot_checked(interaction_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    row = (await session.exec(select(Interaction).where(Interaction.id == interaction_id, visible_log(user)))).first()
    if row is None:
        raise Problem(404, "not_found")
    row = await spot_check(session, user, row, now=utcnow())
    await session.commit()
    return _public(row)


@router.get("/customers/{customer_id}/relationships", response_model=list[RelationshipCreate])
async def list_relationships(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    rows = (await session.exec(select(Relationship).where(Relationship.customer_id == customer.id))).all()
    return [RelationshipCreate(kind=r.kind, related_cif=r.related_cif, note=r.note) for r in rows]


@router.post("/customers/{customer_id}/relationships", response_model=RelationshipCreate, status_code=201)
async def create_relationship(customer_id: uuid.UUID, body: RelationshipCreate, user: CurrentUser,
                              session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    _writer(user)
    add_relationship(session, user, customer, body, now=utcnow())
    await session.commit()
    return body


@router.get("/customers/{customer_id}/contacts", response_model=list[ContactPublic])
async def list_contacts(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep, unmask: Unmask = False):
    customer = await in_scope(session, user, customer_id)
    rows = (await session.exec(select(KeyContact).where(KeyContact.customer_id == customer.id,
                                                        KeyContact.active))).all()
    full = await unmasked_read(session, user, unmask, [customer], "contacts")
    return [ContactPublic.of(r, full) for r in rows]


@router.post("/customers/{customer_id}/contacts", response_model=ContactPublic, status_code=201)
async def add_contact(request: Request, customer_id: uuid.UUID, body: ContactCreate, user: CurrentUser,
                      session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    _writer(user)
    contact = change_contact(session, user, customer, KeyContact(customer_id=customer.id, **body.model_dump()),
                             "added", business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return ContactPublic.of(contact)


@router.delete("/customers/{customer_id}/contacts/{contact_id}", status_code=204)
async def remove_contact(request: Request, customer_id: uuid.UUID, contact_id: uuid.UUID, user: CurrentUser,
                         session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    _writer(user)
    contact = await session.get(KeyContact, contact_id)
    if contact is None or contact.customer_id != customer.id or not contact.active:
        raise Problem(404, "not_found")
    contact.active = False
    change_contact(session, user, customer, contact, "removed", business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)

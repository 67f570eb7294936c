"""Interaction log, the RM's daily work log with spot checks, late entries approved or rejected by the
lead, relationships and key contacts."""
import uuid
from datetime import date

from fastapi import APIRouter, Request
from sqlmodel import col, select

from services.customer.api.deps import AUDITED, Unmask, in_scope, unmasked_read
from services.customer.api.names import with_names
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import Customer, Interaction, KeyContact, Relationship
from services.customer.schemas import (
    ContactCreate,
    ContactPublic,
    EntryDecision,
    EntryRejection,
    InteractionCreate,
    InteractionPublic,
    Page,
    RelationshipCreate,
)
from services.customer.scope import may_write, visible_log
from services.customer.service.calendar import calendar_overrides
from services.customer.service.interactions import decide_late_entry, log_interaction, spot_check
from services.customer.service.relationships import add_relationship, change_contact
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem

router = APIRouter(tags=["interactions"], dependencies=AUDITED)


async def _public(session, row: Interaction) -> InteractionPublic:
    [public] = await with_names(session, [row], InteractionPublic)
    return public


async def _page(session, stmt, keys, limit: int, cursor: str | None) -> Page[InteractionPublic]:
    rows, next_cursor = await page(session, stmt, keys, limit, cursor)
    return Page(items=await with_names(session, rows, InteractionPublic), next_cursor=next_cursor)


LATEST_FIRST = [(Interaction.occurred_on, True), (Interaction.created_at, True), (Interaction.id, True)]
AS_LOGGED = [(Interaction.created_at, False), (Interaction.id, False)]
BY_NAME = [(KeyContact.name, False), (KeyContact.id, False)]
BY_KIND = [(Relationship.kind, False), (Relationship.id, False)]


def timeline(customer: Customer):
    return select(Interaction).where(Interaction.customer_id == customer.id)


def active_contacts(customer: Customer):
    return select(KeyContact).where(KeyContact.customer_id == customer.id, KeyContact.active)


def relationships_of(customer: Customer):
    return select(Relationship).where(Relationship.customer_id == customer.id)


def relationship_public(row: Relationship) -> RelationshipCreate:
    return RelationshipCreate(kind=row.kind, related_cif=row.related_cif, note=row.note)


def _writer(user) -> None:
    if not may_write(user):
        raise Problem(403, "forbidden")


@router.get("/customers/{customer_id}/interactions", response_model=Page[InteractionPublic])
async def list_interactions(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep, limit: Limit = 50,
                            cursor: Cursor = None):
    """The customer's contact timeline, latest first."""
    customer = await in_scope(session, user, customer_id)
    return await _page(session, timeline(customer), LATEST_FIRST, limit, cursor)


@router.post("/customers/{customer_id}/interactions", response_model=InteractionPublic, status_code=201)
async def create_interaction(request: Request, customer_id: uuid.UUID, body: InteractionCreate, user: CurrentUser,
                             session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    row = log_interaction(session, user, customer, body, today=business_today(), now=utcnow(),
                          overrides=await calendar_overrides(session))
    await session.commit()
    events_written(request)
    return await _public(session, row)


@router.get("/worklog", response_model=Page[InteractionPublic])
async def worklog(user: CurrentUser, session: SessionDep, day: date, rm: str | None = None, limit: Limit = 50,
                  cursor: Cursor = None):
    """工作日志: the interactions logged for a day — the caller's own, or an RM's within the caller's scope."""
    stmt = select(Interaction).where(visible_log(user), Interaction.occurred_on == day,
                                     Interaction.rm == (rm or user.username))
    return await _page(session, stmt, AS_LOGGED, limit, cursor)


@router.get("/interactions/pending", response_model=Page[InteractionPublic])
async def pending_entries(user: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None):
    """Entries logged too long after they happened, waiting for approval, in the caller's work-log scope."""
    stmt = select(Interaction).where(visible_log(user), col(Interaction.status) == "pending_approval",
                                     col(Interaction.rm) != user.username)
    return await _page(session, stmt, AS_LOGGED, limit, cursor)


async def _logged(session, user, interaction_id: uuid.UUID) -> Interaction:
    row = (await session.exec(select(Interaction).where(Interaction.id == interaction_id, visible_log(user)))).first()
    if row is None:
        raise Problem(404, "not_found")
    return row


@router.post("/interactions/{interaction_id}/spot-check", response_model=InteractionPublic)
async def mark_spot_checked(interaction_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    row = await spot_check(session, user, await _logged(session, user, interaction_id), now=utcnow())
    await session.commit()
    return await _public(session, row)


@router.post("/interactions/{interaction_id}/approve", response_model=InteractionPublic)
async def approve_entry(request: Request, interaction_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                        body: EntryDecision | None = None):
    """A late entry counts from now on: `interaction.logged` goes out, dated when the contact happened."""
    row = await decide_late_entry(session, user, await _logged(session, user, interaction_id), True,
                                  body.note if body else None, now=utcnow())
    await session.commit()
    events_written(request)
    return await _public(session, row)


@router.post("/interactions/{interaction_id}/reject", response_model=InteractionPublic)
async def reject_entry(interaction_id: uuid.UUID, body: EntryRejection, user: CurrentUser, session: SessionDep):
    """A late entry that does not count, with the reason; it stays in the work log."""
    row = await decide_late_entry(session, user, await _logged(session, user, interaction_id), False, body.note,
                                  now=utcnow())
    await session.commit()
    return await _public(session, row)


@router.get("/customers/{customer_id}/relationships", response_model=Page[RelationshipCreate])
async def list_relationships(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep, limit: Limit = 50,
                             cursor: Cursor = None):
    customer = await in_scope(session, user, customer_id)
    rows, next_cursor = await page(session, relationships_of(customer), BY_KIND, limit, cursor)
    return Page(items=[relationship_public(r) for r in rows], next_cursor=next_cursor)


@router.post("/customers/{customer_id}/relationships", response_model=RelationshipCreate, status_code=201)
async def create_relationship(customer_id: uuid.UUID, body: RelationshipCreate, user: CurrentUser,
                              session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    _writer(user)
    add_relationship(session, user, customer, body, now=utcnow())
    await session.commit()
    return body


@router.get("/customers/{customer_id}/contacts", response_model=Page[ContactPublic])
async def list_contacts(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep, unmask: Unmask = False,
                        limit: Limit = 50, cursor: Cursor = None):
    customer = await in_scope(session, user, customer_id)
    rows, next_cursor = await page(session, active_contacts(customer), BY_NAME, limit, cursor)
    full = await unmasked_read(session, user, unmask, [customer], "contacts")
    return Page(items=[ContactPublic.of(r, full) for r in rows], next_cursor=next_cursor)


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

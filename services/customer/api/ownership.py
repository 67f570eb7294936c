"""Ownership routes: history, a lead's transfer, RM transfer requests and their decision, claims and
the refusals a lead reads, and the departure handover."""
import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from services.customer.api.deps import AUDITED, in_scope, shown_one
from services.customer.api.names import with_names
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import ClaimRefusal, CustomerOwnership
from services.customer.models import TransferRequest as TransferRequestRow
from services.customer.schemas import Checklist, CustomerPublic, OwnershipPublic, Page, TransferRequest
from services.customer.scope import visible_refusals, visible_requests
from services.customer.service.handover import hand_over
from services.customer.service.ownership import HISTORY_ORDER
from services.customer.service.transfers import claim_customer, decide_transfer, request_transfer, transfer_customer
from services.customer.service.validation import CifStr
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem

router = APIRouter(tags=["ownership"], dependencies=AUDITED)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, Field(max_length=500)] | None = None


class Rejection(BaseModel):
    """A refusal says why: the requesting RM reads it, and an auditor may ask."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: Annotated[str, Field(min_length=1, max_length=500)]


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cif: CifStr


class Handover(BaseModel):
    model_config = ConfigDict(extra="forbid")
    successors: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1)
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class TransferRequestPublic(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str | None = None
    role: str
    to_owner: str
    to_owner_name: str | None = None
    reason: str
    requested_by: str
    requested_by_name: str | None = None
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class ClaimRefusalPublic(BaseModel):
    customer_id: uuid.UUID
    cif: str
    customer_name: str | None = None
    claimant: str
    claimant_name: str | None = None
    owner: str
    owner_name: str | None = None
    at: datetime


async def _request(session, row: TransferRequestRow) -> TransferRequestPublic:
    [public] = await with_names(session, [row], TransferRequestPublic)
    return public


@router.get("/customers/{customer_id}/ownership", response_model=Page[OwnershipPublic])
async def ownership(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep, limit: Limit = 50,
                    cursor: Cursor = None):
    """Effective-dated A岗 / B岗 history, oldest first (open rows have effective_to null)."""
    customer = await in_scope(session, user, customer_id)
    rows, next_cursor = await page(session, select(CustomerOwnership).where(
        CustomerOwnership.customer_id == customer.id), HISTORY_ORDER, limit, cursor)
    return Page(items=await with_names(session, rows, OwnershipPublic), next_cursor=next_cursor)


@router.post("/customers/{customer_id}/transfer", response_model=CustomerPublic)
async def transfer(request: Request, customer_id: uuid.UUID, body: TransferRequest, user: CurrentUser,
                   session: SessionDep):
    """A lead or above moves the customer from now on; an RM files a transfer request instead."""
    customer = await in_scope(session, user, customer_id)
    customer = await transfer_customer(session, user, customer, body.to, body.reason, body.role,
                                       business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return await shown_one(session, customer)


@router.post("/customers/{customer_id}/transfer-requests", response_model=TransferRequestPublic, status_code=201)
async def file_transfer_request(customer_id: uuid.UUID, body: TransferRequest, user: CurrentUser,
                                session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    row = await request_transfer(session, user, customer, body.to, body.reason, body.role, now=utcnow())
    await session.commit()
    return await _request(session, row)


@router.get("/transfer-requests", response_model=Page[TransferRequestPublic])
async def list_transfer_requests(user: CurrentUser, session: SessionDep,
                                 status: Literal["pending", "approved", "rejected"] | None = Query(None),
                                 to: Annotated[str | None, Query(max_length=64, description="me, or the username "
                                                                 "a request is addressed to")] = None,
                                 limit: Limit = 50, cursor: Cursor = None):
    """Requests the caller filed, is addressed to, or decides (team, subtree), oldest first."""
    stmt = select(TransferRequestRow).where(visible_requests(user))
    if status:
        stmt = stmt.where(TransferRequestRow.status == status)
    if to:
        stmt = stmt.where(TransferRequestRow.to_owner == (user.username if to == "me" else to))
    rows, next_cursor = await page(session, stmt, [(TransferRequestRow.requested_at, False),
                                                   (TransferRequestRow.id, False)], limit, cursor)
    return Page(items=await with_names(session, rows, TransferRequestPublic), next_cursor=next_cursor)


@router.post("/transfer-requests/{request_id}/approve", response_model=TransferRequestPublic)
async def approve_transfer(request: Request, request_id: uuid.UUID, body: Decision, user: CurrentUser,
                           session: SessionDep):
    row = await decide_transfer(session, user, request_id, True, body.note, business_date=business_today(),
                                now=utcnow())
    await session.commit()
    events_written(request)
    return await _request(session, row)


@router.post("/transfer-requests/{request_id}/reject", response_model=TransferRequestPublic)
async def reject_transfer(request_id: uuid.UUID, body: Rejection, user: CurrentUser, session: SessionDep):
    row = await decide_transfer(session, user, request_id, False, body.note, business_date=business_today(),
                                now=utcnow())
    await session.commit()
    return await _request(session, row)


@router.post("/customers/claim", response_model=CustomerPublic)
async def claim(request: Request, body: Claim, user: CurrentUser, session: SessionDep):
    """An RM claims an unowned customer of their unit; one owned by someone else is refused and recorded."""
    customer = await claim_customer(session, user, body.cif, business_date=business_today(), now=utcnow())
    await session.commit()   # a refused claim too: the refusal is the record the lead reads
    if customer is None:
        raise Problem(409, "claim_refused", field="cif")
    events_written(request)
    return await shown_one(session, customer)


@router.get("/claim-refusals", response_model=Page[ClaimRefusalPublic])
async def claim_refusals(user: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None):
    rows, next_cursor = await page(session, select(ClaimRefusal).where(visible_refusals(user)),
                                   [(ClaimRefusal.at, False), (ClaimRefusal.id, False)], limit, cursor)
    return Page(items=await with_names(session, rows, ClaimRefusalPublic), next_cursor=next_cursor)


@router.post("/staff/{username}/handover", response_model=Checklist)
async def handover(request: Request, username: str, body: Handover, user: CurrentUser, session: SessionDep):
    """Move a leaving RM's whole book to the successors in one transaction; returns the checklist."""
    checklist = await hand_over(session, user, username, body.successors, body.reason,
                                business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return checklist

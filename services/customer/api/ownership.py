"""Ownership routes: history, a lead's transfer, RM transfer requests and their decision, claims and
the refusals a lead reads, and the departure handover."""
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from services.customer.api.deps import AUDITED, in_scope, shown_one
from services.customer.models import ClaimRefusal
from services.customer.models import TransferRequest as TransferRequestRow
from services.customer.schemas import Checklist, CustomerPublic, OwnershipPublic, TransferRequest
from services.customer.scope import visible_refusals, visible_requests
from services.customer.service.handover import hand_over
from services.customer.service.ownership import ownership_history
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
    role: str
    to_owner: str
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class ClaimRefusalPublic(BaseModel):
    customer_id: uuid.UUID
    cif: str
    claimant: str
    owner: str
    at: datetime


def _request(row: TransferRequestRow) -> TransferRequestPublic:
    return TransferRequestPublic.model_validate(row, from_attributes=True)


@router.get("/customers/{customer_id}/ownership", response_model=list[OwnershipPublic])
async def ownership(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    """Effective-dated A岗 / B岗 history, oldest first (open rows have effective_to null)."""
    customer = await in_scope(session, user, customer_id)
    return [OwnershipPublic.of(row) for row in await ownership_history(session, customer)]


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
    return _request(row)


@router.get("/transfer-requests", response_model=list[TransferRequestPublic])
async def list_transfer_requests(user: CurrentUser, session: SessionDep, status: str | None = Query(None)):
    stmt = select(TransferRequestRow).where(visible_requests(user)).order_by(TransferRequestRow.requested_at)
    if status:
        stmt = stmt.where(TransferRequestRow.status == status)
    return [_request(r) for r in (await session.exec(stmt)).all()]


@router.post("/transfer-requests/{request_id}/approve", response_model=TransferRequestPublic)
async def approve_transfer(request: Request, request_id: uuid.UUID, body: Decision, user: CurrentUser,
                           session: SessionDep):
    row = await decide_transfer(session, user, request_id, True, body.note, business_date=business_today(),
                                now=utcnow())
    await session.commit()
    events_written(request)
    return _request(row)


@router.post("/transfer-requests/{request_id}/reject", response_model=TransferRequestPublic)
async def reject_transfer(request_id: uuid.UUID, body: Rejection, user: CurrentUser, session: SessionDep):
    row = await decide_transfer(session, user, request_id, False, body.note, business_date=business_today(),
                                now=utcnow())
    await session.commit()
    return _request(row)


@router.post("/customers/claim", response_model=CustomerPublic)
async def claim(request: Request, body: Claim, user: CurrentUser, session: SessionDep):
    """An RM claims an unowned customer of their unit; one owned by someone else is refused and recorded."""
    customer = await claim_customer(session, user, body.cif, business_date=business_today(), now=utcnow())
    await session.commit()   # a refused claim too: the refusal is the record the lead reads
    if customer is None:
        raise Problem(409, "claim_refused", field="cif")
    events_written(request)
    return await shown_one(session, customer)


@router.get("/claim-refusals", response_model=list[ClaimRefusalPublic])
async def claim_refusals(user: CurrentUser, session: SessionDep):
    rows = (await session.exec(select(ClaimRefusal).where(visible_refusals(user)).order_by(ClaimRefusal.at))).all()
    return [ClaimRefusalPublic.model_validate(r, from_attributes=True) for r in rows]


@router.post("/staff/{username}/handover", response_model=Checklist)
async def handover(request: Request, username: str, body: Handover, user: CurrentUser, session: SessionDep):
    """Move a leaving RM's whole book to the successors in one transaction; returns the checklist."""
    checklist = await hand_over(session, user, username, body.successors, body.reason,
                                business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return checklist

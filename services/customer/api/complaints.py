"""Complaint routes: file, list by status (never showing a complaint to the staff member it is about),
resolve with responsibility and the customer's feedback."""
import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import select

from services.customer.api.deps import AUDITED, in_scope
from services.customer.api.names import with_names
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import Complaint
from services.customer.rules import SEVERITIES
from services.customer.schemas import Page
from services.customer.scope import visible_complaints
from services.customer.service.complaints import file_complaint, resolve_complaint
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem

router = APIRouter(tags=["complaints"], dependencies=AUDITED)
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class ComplaintCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: uuid.UUID
    channel: Literal["counter", "phone", "letter", "online", "regulator", "other"]
    category: Literal["service", "fees", "product", "conduct", "other"]
    severity: Literal[SEVERITIES]  # type: ignore[valid-type]
    text: Annotated[str, Field(min_length=1, max_length=4000)]
    about: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class ComplaintResolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    responsible: Literal["rm", "staff", "bank", "customer", "none"]
    responsible_staff: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    finding: Text
    feedback: Text

    @model_validator(mode="after")
    def _staff_named(self):
        if self.responsible in ("rm", "staff") and not self.responsible_staff:
            raise ValueError("name the responsible staff member (responsible_staff)")
        return self


class ComplaintPublic(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    cif: str
    customer_name: str | None = None
    channel: str
    category: str
    severity: str
    text: str
    about: str | None
    handler: str | None
    filed_on: date
    due_on: date
    status: str
    escalated_to: str | None
    responsible: str | None
    responsible_staff: str | None
    finding: str | None
    feedback: str | None
    resolved_on: date | None


async def _public(session, row: Complaint) -> ComplaintPublic:
    [public] = await with_names(session, [row], ComplaintPublic)
    return public


@router.post("/complaints", response_model=ComplaintPublic, status_code=201)
async def file(request: Request, body: ComplaintCreate, user: CurrentUser, session: SessionDep):
    customer = await in_scope(session, user, body.customer_id)
    complaint = await file_complaint(session, user, customer, **body.model_dump(exclude={"customer_id"}),
                                     rules=request.app.state.settings.control_rules(),
                                     business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return await _public(session, complaint)


@router.get("/complaints", response_model=Page[ComplaintPublic])
async def list_complaints(user: CurrentUser, session: SessionDep,
                          status: Literal["open", "escalated", "resolved"] | None = Query(None),
                          limit: Limit = 50, cursor: Cursor = None):
    """Complaints in scope, the one due soonest first."""
    stmt = select(Complaint).where(visible_complaints(user))
    if status:
        stmt = stmt.where(Complaint.status == status)
    rows, next_cursor = await page(session, stmt, [(Complaint.due_on, False), (Complaint.created_at, False),
                                                   (Complaint.id, False)], limit, cursor)
    return Page(items=await with_names(session, rows, ComplaintPublic), next_cursor=next_cursor)


@router.post("/complaints/{complaint_id}/resolve", response_model=ComplaintPublic)
async def resolve(request: Request, complaint_id: uuid.UUID, body: ComplaintResolution, user: CurrentUser,
                  session: SessionDep):
    complaint = (await session.exec(select(Complaint).where(Complaint.id == complaint_id,
                                                            visible_complaints(user)))).first()
    if complaint is None:
        raise Problem(404, "not_found")
    await resolve_complaint(session, user, complaint, **body.model_dump(), business_date=business_today(),
                            now=utcnow())
    await session.commit()
    events_written(request)
    return await _public(session, complaint)

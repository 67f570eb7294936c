"""Conduct routes: staff qualification records (岗位资质认证) — who may own customers, and until when —
and the conduct records staff keep: refusals, hosting reports, outside-service requests, commitment
letters, and the head's decision on those that need one."""
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import select

from services.customer.api.deps import AUDITED, in_scope
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import ConductRecord, StaffQualification
from services.customer.schemas import Page
from services.customer.scope import visible_conduct
from services.customer.service.conduct import decide, over_budget, record_conduct, second_staff_checked
from services.customer.service.qualifications import record_qualification, staff_unit_path
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import utcnow
from shared.errors import Problem

router = APIRouter(tags=["conduct"], dependencies=AUDITED)
Text = Annotated[str, Field(min_length=1, max_length=1000)]
Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]


class QualificationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exam: Annotated[str, Field(min_length=1, max_length=100)]
    passed_on: date
    expires_on: date


class QualificationPublic(BaseModel):
    username: str
    exam: str
    passed_on: date
    expires_on: date
    recorded_by: str
    recorded_at: datetime


@router.post("/staff/{username}/qualifications", response_model=QualificationPublic, status_code=201)
async def record(username: str, body: QualificationCreate, user: CurrentUser, session: SessionDep):
    row = await record_qualification(session, user, username, **body.model_dump(), now=utcnow())
    await session.commit()
    return QualificationPublic.model_validate(row, from_attributes=True)


@router.get("/staff/{username}/qualifications", response_model=Page[QualificationPublic])
async def read(username: str, user: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None):
    await staff_unit_path(session, user, username)
    rows, next_cursor = await page(session, select(StaffQualification).where(StaffQualification.username == username),
                                   [(StaffQualification.passed_on, False), (StaffQualification.id, False)], limit,
                                   cursor)
    return Page(items=[QualificationPublic.model_validate(q, from_attributes=True) for q in rows],
                next_cursor=next_cursor)


class RefusalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: uuid.UUID
    offered: Literal["gift", "fee", "dinner", "other"]
    description: Text
    value: Money | None = None
    occurred_on: date


class HostingReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: uuid.UUID
    occurred_on: date
    guests: Text                      # with whom
    relationship: Text
    purpose: Text
    cost: Money


class OutsideServiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: uuid.UUID
    occurred_on: date
    place: Text
    purpose: Text
    second_staff: Annotated[str, Field(min_length=1, max_length=64)]
    carries_cash: bool = False
    guard: Annotated[str, Field(min_length=1, max_length=100)] | None = None

    @model_validator(mode="after")
    def _guard_with_cash(self):
        if self.carries_cash and not self.guard:
            raise ValueError("a guard (guard) is required where cash is carried")
        return self


class CommitmentLetterCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: Annotated[int, Field(ge=2000, le=2100)]
    text: Annotated[str, Field(min_length=1, max_length=4000)]


class ConductDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: Annotated[str, Field(max_length=500)] | None = None


class ConductPublic(BaseModel):
    id: uuid.UUID
    kind: str
    staff: str
    cif: str | None
    occurred_on: date
    amount: Decimal | None
    details: dict
    status: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


def _public(row) -> ConductPublic:
    return ConductPublic.model_validate(row, from_attributes=True)


async def _record(session, user, kind, body, **kw) -> ConductPublic:
    customer = await in_scope(session, user, body.customer_id) if getattr(body, "customer_id", None) else None
    row = await record_conduct(session, user, kind, customer=customer, now=utcnow(), **kw)
    await session.commit()
    return _public(row)


@router.post("/conduct/refusals", response_model=ConductPublic, status_code=201)
async def record_refusal(body: RefusalCreate, user: CurrentUser, session: SessionDep):
    """不接受…宴请: a gift, fee or dinner a customer offered, refused and noted."""
    return await _record(session, user, "refusal", body, occurred_on=body.occurred_on, amount=body.value,
                         details={"offered": body.offered, "description": body.description})


@router.post("/conduct/hosting-reports", response_model=ConductPublic, status_code=201)
async def report_hosting(request: Request, body: HostingReportCreate, user: CurrentUser, session: SessionDep):
    """Hosting a customer at the bank's expense: with whom, relationship, purpose, cost; over budget → approval."""
    pending = over_budget(request.app.state.settings.control_rules(), body.cost)
    return await _record(session, user, "hosting", body, occurred_on=body.occurred_on, amount=body.cost,
                         pending=pending, details=body.model_dump(include={"guests", "relationship", "purpose"}))


@router.post("/conduct/outside-service", response_model=ConductPublic, status_code=201)
async def request_outside_service(body: OutsideServiceCreate, user: CurrentUser, session: SessionDep):
    """上门服务: waits for the head in charge; two staff, and a guard where cash is carried."""
    await second_staff_checked(session, user, body.second_staff)
    return await _record(session, user, "outside_service", body, occurred_on=body.occurred_on, pending=True,
                         details=body.model_dump(include={"place", "purpose", "second_staff", "carries_cash",
                                                          "guard"}))


@router.post("/conduct/commitment-letters", response_model=ConductPublic, status_code=201)
async def sign_commitment_letter(body: CommitmentLetterCreate, user: CurrentUser, session: SessionDep):
    """承诺书: one a year, signed once and kept as signed."""
    return await _record(session, user, "commitment", body, occurred_on=date(body.year, 1, 1),
                         details={"year": body.year, "text": body.text, "signed_at": utcnow().isoformat()})


@router.get("/conduct/records", response_model=Page[ConductPublic])
async def list_records(user: CurrentUser, session: SessionDep,
                       kind: Literal["refusal", "hosting", "outside_service", "commitment"] | None = Query(None),
                       status: Literal["recorded", "pending", "approved", "rejected"] | None = Query(None),
                       limit: Limit = 50, cursor: Cursor = None):
    stmt = select(ConductRecord).where(visible_conduct(user, ConductRecord))
    if kind:
        stmt = stmt.where(ConductRecord.kind == kind)
    if status:
        stmt = stmt.where(ConductRecord.status == status)
    rows, next_cursor = await page(session, stmt, [(ConductRecord.created_at, False), (ConductRecord.id, False)],
                                   limit, cursor)
    return Page(items=[_public(row) for row in rows], next_cursor=next_cursor)


@router.post("/conduct/records/{record_id}/decide", response_model=ConductPublic)
async def decide_record(record_id: uuid.UUID, body: ConductDecision, user: CurrentUser, session: SessionDep):
    row = (await session.exec(select(ConductRecord).where(ConductRecord.id == record_id,
                                                          visible_conduct(user, ConductRecord)))).first()
    if row is None:
        raise Problem(404, "not_found")
    await decide(session, user, row, body.approve, body.note, now=utcnow())
    await session.commit()
    return _public(row)

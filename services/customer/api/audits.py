"""Audit work routes: auditors open a departure or routine audit of an RM over a period, read what it
lists, record findings and sign it off. Auditors and admins read cases in their subtree (else 404);
other roles get 403."""
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import true
from sqlmodel import select

from services.customer.api.deps import AUDITED
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import AuditCase
from services.customer.schemas import Page
from services.customer.scope import may_read_audit
from services.customer.service.audits import add_finding, case_contents, open_audit, sign_off
from shared.app import SessionDep
from shared.auth import CurrentUser, Principal
from shared.clock import utcnow
from shared.errors import Problem

router = APIRouter(tags=["audits"], dependencies=AUDITED)
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class AuditCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["departure", "routine"]
    rm: Annotated[str, Field(min_length=1, max_length=64)]
    period_from: date
    period_to: date


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text
    severity: Literal["minor", "major", "critical"] = "minor"


class SignOff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conclusion: Text


class AuditPublic(BaseModel):
    id: uuid.UUID
    kind: str
    rm: str
    period_from: date
    period_to: date
    opened_by: str
    opened_at: datetime
    status: str
    findings: list[dict]
    conclusion: str | None
    signed_off_by: str | None
    signed_off_at: datetime | None
    contents: dict = {}


async def _public(session, case: AuditCase) -> AuditPublic:
    return AuditPublic.model_validate({**case.model_dump(), "contents": await case_contents(session, case)})


def _readers(user: Principal) -> None:
    if not may_read_audit(user):
        raise Problem(403, "audits_for_auditors")


def _visible(user: Principal):
    return true() if user.has("admin") else user.subtree(AuditCase.unit_path)


async def _in_scope(session, user: Principal, case_id: uuid.UUID) -> AuditCase:
    _readers(user)
    case = (await session.exec(select(AuditCase).where(AuditCase.id == case_id, _visible(user)))).first()
    if case is None:
        raise Problem(404, "not_found")
    return case


@router.post("/audits", response_model=AuditPublic, status_code=201)
async def open_case(body: AuditCreate, user: CurrentUser, session: SessionDep):
    case = await open_audit(session, user, **body.model_dump(), now=utcnow())
    await session.commit()
    return await _public(session, case)


@router.get("/audits", response_model=Page[AuditPublic])
async def list_cases(user: CurrentUser, session: SessionDep,
                     status: Literal["open", "signed_off"] | None = Query(None), rm: str | None = Query(None),
                     limit: Limit = 50, cursor: Cursor = None):
    _readers(user)
    stmt = select(AuditCase).where(_visible(user))
    if status:
        stmt = stmt.where(AuditCase.status == status)
    if rm:
        stmt = stmt.where(AuditCase.rm == rm)
    rows, next_cursor = await page(session, stmt, [(AuditCase.opened_at, False), (AuditCase.id, False)], limit,
                                   cursor)
    return Page(items=[await _public(session, case) for case in rows], next_cursor=next_cursor)


@router.get("/audits/{case_id}", response_model=AuditPublic)
async def read_case(case_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    return await _public(session, await _in_scope(session, user, case_id))


@router.post("/audits/{case_id}/findings", response_model=AuditPublic)
async def record_finding(case_id: uuid.UUID, body: Finding, user: CurrentUser, session: SessionDep):
    case = await add_finding(session, user, await _in_scope(session, user, case_id), body.text, body.severity,
                             now=utcnow())
    await session.commit()
    return await _public(session, case)


@router.post("/audits/{case_id}/sign-off", response_model=AuditPublic)
async def sign_off_case(case_id: uuid.UUID, body: SignOff, user: CurrentUser, session: SessionDep):
    """Closes the case; for a departure audit, that closes the departure case too."""
    case = await sign_off(session, user, await _in_scope(session, user, case_id), body.conclusion, now=utcnow())
    await session.commit()
    return await _public(session, case)

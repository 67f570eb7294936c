"""Conduct routes: staff qualification records (岗位资质认证) — who may own customers, and until when."""
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.customer.api.deps import AUDITED
from services.customer.service.qualifications import qualifications_of, record_qualification, staff_unit_path
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import utcnow

router = APIRouter(tags=["conduct"], dependencies=AUDITED)


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


@router.get("/staff/{username}/qualifications", response_model=list[QualificationPublic])
async def read(username: str, user: CurrentUser, session: SessionDep):
    await staff_unit_path(session, user, username)
    return [QualificationPublic.model_validate(q, from_attributes=True) for q in await qualifications_of(session, username)]

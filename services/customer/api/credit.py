"""Credit application routes: open a loan file, receive its documents, co-sign its submission, record
the credit department's decision per approval level. A file outside the caller's scope is a 404."""
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import select

from services.customer.api.deps import AUDITED, in_scope
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import CreditApplication, CreditReview
from services.customer.rules import APPROVAL_LEVELS, CREDIT_CHECKLIST
from services.customer.schemas import Page
from services.customer.scope import visible_credit
from services.customer.service.credit_applications import add_documents, open_application, record_review, reviews_of, sign_submission
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem

router = APIRouter(tags=["credit"], dependencies=AUDITED)
Document = Literal[CREDIT_CHECKLIST]  # type: ignore[valid-type]
Name = Annotated[str, Field(min_length=1, max_length=64)]


class CreditApplicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: uuid.UUID
    product: Annotated[str, Field(min_length=1, max_length=60)]
    amount: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
    purpose: Annotated[str, Field(min_length=1, max_length=500)]
    investigators: list[Name] = Field(min_length=1, max_length=10)
    documents: list[Document] = []
    commitment: bool = False


class DocumentsReceived(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[Document] = []
    commitment: bool = False


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: Annotated[int, Field(ge=APPROVAL_LEVELS[0], le=APPROVAL_LEVELS[-1])]
    decision: Literal["approve", "decline"]
    reason: Annotated[str, Field(min_length=1, max_length=500)] | None = None

    @model_validator(mode="after")
    def _decline_has_reason(self):
        if self.decision == "decline" and not self.reason:
            raise ValueError("a decline needs a reason")
        return self


class ReviewPublic(BaseModel):
    level: int
    decision: str
    reason: str | None
    reviewer: str
    at: datetime


class CreditApplicationPublic(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    cif: str
    rm: str
    product: str
    amount: Decimal
    purpose: str
    investigators: list[str]
    documents: list[str]
    missing_documents: list[str]
    commitment_signed_at: datetime | None
    status: str
    ready_on: date | None
    due_on: date | None
    rm_signed_by: str | None
    risk_signed_by: str | None
    submitted_on: date | None
    escalation_level: int
    loan_id: str | None
    reviews: list[ReviewPublic] = []


def _shown(application: CreditApplication, reviews: list[CreditReview]) -> CreditApplicationPublic:
    return CreditApplicationPublic.model_validate(
        {**application.model_dump(), "reviews": [ReviewPublic.model_validate(r, from_attributes=True) for r in reviews],
         "missing_documents": [d for d in CREDIT_CHECKLIST if d not in application.documents]})


async def _public(session, application: CreditApplication) -> CreditApplicationPublic:
    return _shown(application, await reviews_of(session, application))


async def _in_scope(session, user, application_id: uuid.UUID) -> CreditApplication:
    application = (await session.exec(select(CreditApplication).where(
        CreditApplication.id == application_id, visible_credit(user)))).first()
    if application is None:
        raise Problem(404, "not_found")
    return application


@router.post("/credit-applications", response_model=CreditApplicationPublic, status_code=201)
async def open_credit_application(request: Request, body: CreditApplicationCreate, user: CurrentUser,
                                  session: SessionDep):
    """A loan file for a customer in scope; ready (and its review deadline set) once the checklist and the
    RM's due-diligence commitment are complete."""
    customer = await in_scope(session, user, body.customer_id)
    application = await open_application(
        session, user, customer, **body.model_dump(exclude={"customer_id"}),
        rules=request.app.state.settings.control_rules(), business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return await _public(session, application)


@router.get("/credit-applications", response_model=Page[CreditApplicationPublic])
async def list_credit_applications(
        user: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None,
        status: Literal["incomplete", "ready", "submitted", "approved", "declined"] | None = Query(None)):
    """The files in the caller's scope, oldest submission first (a reviewer's queue: `status=submitted`)."""
    stmt = select(CreditApplication).where(visible_credit(user))
    if status:
        stmt = stmt.where(CreditApplication.status == status)
    rows, next_cursor = await page(session, stmt, [(CreditApplication.created_at, False), (CreditApplication.id, False)],
                                   limit, cursor)
    reviews: dict[uuid.UUID, list[CreditReview]] = {row.id: [] for row in rows}
    if rows:   # one query for the page's reviews, not one per file
        for review in (await session.exec(select(CreditReview).where(CreditReview.application_id.in_(reviews))
                                          .order_by(CreditReview.level))).all():
            reviews[review.application_id].append(review)
    return Page(items=[_shown(row, reviews[row.id]) for row in rows], next_cursor=next_cursor)


@router.get("/credit-applications/{application_id}", response_model=CreditApplicationPublic)
async def read_credit_application(application_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    return await _public(session, await _in_scope(session, user, application_id))


@router.post("/credit-applications/{application_id}/documents", response_model=CreditApplicationPublic)
async def receive_documents(request: Request, application_id: uuid.UUID, body: DocumentsReceived,
                            user: CurrentUser, session: SessionDep):
    application = await add_documents(session, user, await _in_scope(session, user, application_id),
                                      body.documents, body.commitment,
                                      rules=request.app.state.settings.control_rules(),
                                      business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return await _public(session, application)


@router.post("/credit-applications/{application_id}/submit", response_model=CreditApplicationPublic)
async def submit_credit_application(request: Request, application_id: uuid.UUID, user: CurrentUser,
                                    session: SessionDep):
    """双签: the marketing RM and a risk manager each call this; the second signature submits the file."""
    application = await sign_submission(session, user, await _in_scope(session, user, application_id),
                                        business_date=business_today(), now=utcnow())
    await session.commit()
    events_written(request)
    return await _public(session, application)


@router.post("/credit-applications/{application_id}/review", response_model=CreditApplicationPublic)
async def review_credit_application(application_id: uuid.UUID, body: ReviewDecision, user: CurrentUser,
                                    session: SessionDep):
    """Record the credit department's decision at one approval level, in order (1, 2, 3)."""
    application = await _in_scope(session, user, application_id)
    await record_review(session, user, application, level=body.level, decision=body.decision, reason=body.reason,
                        now=utcnow())
    await session.commit()
    return await _public(session, application)

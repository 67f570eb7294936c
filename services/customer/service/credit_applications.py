"""Credit applications (loan files): two investigators for large loans, the document checklist and the
RM's due-diligence commitment, ready the moment both are complete (the clock starts by itself), the
RM's and a risk manager's co-signature on submission (双签), and the credit department's decision per
approval level recorded by someone apart from marketing (审贷分离, 三级审批). The workbench records
decisions; it never makes them."""
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.models import CreditApplication, CreditReview, Customer, Staff
from services.customer.rules import (
    APPROVAL_LEVELS,
    ControlRules,
    business_days_after,
    checklist_complete,
    investigators_needed,
    may_review,
)
from services.customer.scope import may_cosign_credit, may_file_credit, may_record_credit_review
from services.customer.service.audit import audit
from services.customer.service.calendar import calendar_overrides
from services.customer.service.outbox import publish
from shared.auth import Principal
from shared.errors import Problem
from shared.events.controls import CreditApplicationReady, CreditApplicationSubmitted


async def open_application(session: AsyncSession, actor: Principal, customer: Customer, *, product: str,
                           amount: Decimal, purpose: str, investigators: list[str], documents: list[str],
                           commitment: bool, rules: ControlRules, business_date: date,
                           now: datetime) -> CreditApplication:
    if not may_file_credit(actor):
        raise Problem(403, "credit_needs_server")
    if customer.owner is None:
        raise Problem(409, "credit_needs_owner", field="customer_id")
    if len(set(investigators)) != len(investigators):
        raise Problem(422, "investigators_distinct", field="investigators")
    needed = investigators_needed(rules, amount)
    if len(investigators) < needed:
        raise Problem(422, "investigators_needed", field="investigators", n=needed,
                      amount=str(rules.two_investigators_from))
    known = set((await session.exec(select(Staff.username).where(Staff.username.in_(investigators),
                                                                   Staff.active))).all())
    if unknown := [name for name in investigators if name not in known]:
        raise Problem(422, "unknown_staff", field="investigators", who=", ".join(unknown))
    application = CreditApplication(
        customer_id=customer.id, cif=customer.cif, unit_path=customer.unit_path, team=customer.owner_team,
        rm=customer.owner, product=product, amount=amount, purpose=purpose, investigators=investigators,
        documents=sorted(set(documents)), commitment_signed_at=now if commitment else None, created_at=now)
    session.add(application)
    await session.flush()
    audit(session, actor, "credit.application_opened", now=now, customer=customer,
          after={"application": str(application.id), "amount": str(amount), "investigators": investigators})
    await _ready_when_complete(session, application, rules, business_date=business_date, now=now)
    return application


async def add_documents(session: AsyncSession, actor: Principal, application: CreditApplication,
                        documents: list[str], commitment: bool, *, rules: ControlRules, business_date: date,
                        now: datetime) -> CreditApplication:
    if not may_file_credit(actor):
        raise Problem(403, "credit_needs_server")
    if commitment and actor.username != application.rm:
        raise Problem(403, "commitment_by_rm")   # the RM's own 尽职调查承诺书: nobody signs it for them
    application.documents = sorted(set(application.documents) | set(documents))
    if commitment and application.commitment_signed_at is None:
        application.commitment_signed_at = now
    session.add(application)
    audit(session, actor, "credit.documents_received", now=now, unit_path=application.unit_path,
          after={"application": str(application.id), "documents": documents, "commitment": commitment})
    await _ready_when_complete(session, application, rules, business_date=business_date, now=now)
    return application


async def _ready_when_complete(session: AsyncSession, application: CreditApplication, rules: ControlRules, *,
                         business_date: date, now: datetime) -> None:
    """限时服务 starts the day the file is complete: nobody can hold the clock back by not pressing a button."""
    if application.status != "incomplete" or application.commitment_signed_at is None \
            or not checklist_complete(application.documents):
        return
    application.status, application.ready_on = "ready", business_date
    application.due_on = business_days_after(business_date, rules.submit_within_days,
                                             await calendar_overrides(session))
    session.add(application)
    publish(session, "credit.application-ready", CreditApplicationReady(
        application_id=str(application.id), customer_id=application.cif, rm=application.rm, team=application.team,
        unit_path=application.unit_path, amount=f"{application.amount:.2f}", ready_on=business_date,
        due_on=application.due_on), subject=application.cif, business_date=business_date, now=now)


async def sign_submission(session: AsyncSession, actor: Principal, application: CreditApplication, *,
                          business_date: date, now: datetime) -> CreditApplication:
    """双签: the marketing RM and a risk manager each sign; the file goes to review with the second."""
    if application.status != "ready":
        raise Problem(409, "credit_not_ready", state=application.status)
    if actor.username == application.rm:
        application.rm_signed_by = actor.username
    elif may_cosign_credit(actor):
        application.risk_signed_by = actor.username
    else:
        raise Problem(403, "cosign_roles")
    if application.rm_signed_by and application.risk_signed_by:
        application.status, application.submitted_on = "submitted", business_date
        publish(session, "credit.application-submitted", CreditApplicationSubmitted(
            application_id=str(application.id), customer_id=application.cif, rm=application.rm,
            risk_manager=application.risk_signed_by, submitted_on=business_date),
            subject=application.cif, business_date=business_date, now=now)
    session.add(application)
    audit(session, actor, "credit.submission_signed", now=now, unit_path=application.unit_path,
          after={"application": str(application.id), "status": application.status})
    return application


async def record_review(session: AsyncSession, actor: Principal, application: CreditApplication, *, level: int,
                        decision: str, reason: str | None, now: datetime) -> CreditReview:
    if not may_record_credit_review(actor):
        raise Problem(403, "review_roles")
    co_signers = [name for name in (application.rm_signed_by, application.risk_signed_by) if name]
    if not may_review(actor.username, application.rm, application.investigators, co_signers):
        raise Problem(409, "review_separation")
    if application.status != "submitted":
        raise Problem(409, "credit_not_in_review", state=application.status)
    recorded = (await session.exec(select(func.count()).select_from(CreditReview)
                                   .where(CreditReview.application_id == application.id))).one()
    if level != recorded + 1:
        raise Problem(409, "review_level_order", field="level", expected=recorded + 1)
    review = CreditReview(application_id=application.id, level=level, decision=decision, reason=reason,
                          reviewer=actor.username, at=now)
    session.add(review)
    if decision == "decline":
        application.status = "declined"
    elif level == APPROVAL_LEVELS[-1]:
        application.status = "approved"
    session.add(application)
    audit(session, actor, "credit.review_recorded", now=now, unit_path=application.unit_path,
          after={"application": str(application.id), "level": level, "decision": decision, "reason": reason})
    return review


async def reviews_of(session: AsyncSession, application: CreditApplication) -> list[CreditReview]:
    return list((await session.exec(select(CreditReview).where(CreditReview.application_id == application.id)
                                    .order_by(CreditReview.level))).all())


async def link_disbursed_loans(session: AsyncSession, loans: list) -> None:
    """A loan.disbursed for an approved file's customer and amount is that file's loan (the oldest first)."""
    if not loans:
        return
    waiting = (await session.exec(select(CreditApplication).where(
        CreditApplication.status == "approved", CreditApplication.loan_id.is_(None),
        CreditApplication.cif.in_({loan.customer_id for loan in loans})).order_by(CreditApplication.created_at))).all()
    for loan in loans:
        match = next((a for a in waiting if a.loan_id is None and a.cif == loan.customer_id
                      and a.amount == loan.principal), None)
        if match is not None:
            match.loan_id = loan.loan_id
            session.add(match)

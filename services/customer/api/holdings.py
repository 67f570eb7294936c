"""The 360 view: deposit accounts and loans as projected from core-banking events, and the tier basis."""
import uuid
from datetime import date
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import select

from services.customer.api.deps import AUDITED, in_scope
from services.customer.models import DepositAccount, LoanHolding
from services.customer.service.tiers import tier_basis
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today

router = APIRouter(tags=["holdings"], dependencies=AUDITED)


class AccountPublic(BaseModel):
    account_id: str
    product: str
    currency: str
    balance: Decimal
    opened_on: date | None
    maturity_date: date | None
    closed_on: date | None


class LoanPublic(BaseModel):
    loan_id: str
    product: str | None
    principal: Decimal | None
    outstanding: Decimal
    disbursed_on: date | None
    maturity_date: date | None
    next_due_date: date | None
    classification: str
    days_overdue: int
    overdue_principal: Decimal
    overdue_interest: Decimal


class Holdings(BaseModel):
    customer_id: uuid.UUID
    cif: str
    tier: str
    tier_basis: dict[str, Decimal]
    deposits: list[AccountPublic]
    loans: list[LoanPublic]


@router.get("/customers/{customer_id}/holdings", response_model=Holdings)
async def holdings(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    accounts = (await session.exec(select(DepositAccount).where(DepositAccount.cif == customer.cif)
                                   .order_by(DepositAccount.account_id))).all()
    loans = (await session.exec(select(LoanHolding).where(LoanHolding.cif == customer.cif)
                                .order_by(LoanHolding.loan_id))).all()
    return Holdings(customer_id=customer.id, cif=customer.cif, tier=customer.tier,
                    tier_basis=await tier_basis(session, customer.cif, customer.kind, business_today()),
                    deposits=[AccountPublic.model_validate(a, from_attributes=True) for a in accounts],
                    loans=[LoanPublic.model_validate(loan, from_attributes=True) for loan in loans])

"""The 360 view: deposit accounts and loans as projected from core-banking events, and the tier basis;
and the overdue loans of a whole scope (the risk manager's list) from the same projection."""
import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import col, select

from services.customer.api.deps import AUDITED, in_scope
from services.customer.api.names import staff_names
from services.customer.api.pages import Cursor, Limit, page
from services.customer.models import Customer, DepositAccount, LoanHolding
from services.customer.schemas import Page
from services.customer.scope import visible_customers
from services.customer.service.tiers import tier_basis
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today
from shared.events.values import LoanClass

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


class OverdueLoan(LoanPublic):
    customer_id: uuid.UUID
    cif: str
    customer_name: str
    owner: str | None = Field(description="the customer's A岗 manager")
    owner_name: str | None = None


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


@router.get("/loans/overdue", response_model=Page[OverdueLoan], summary="逾期贷款清单")
async def overdue_loans(user: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None,
                        min_days: Annotated[int, Query(ge=1, le=100000, description="overdue at least this "
                                                                                    "many days")] = 1,
                        classification: Annotated[LoanClass | None, Query(description="五级分类")] = None):
    """Loans past due of the customers in the caller's scope — an RM their book, a lead the team's, risk
    managers, heads and auditors their unit subtree — longest overdue first."""
    stmt = (select(LoanHolding, Customer).join(Customer, col(Customer.cif) == col(LoanHolding.cif))
            .where(visible_customers(user), col(LoanHolding.days_overdue) >= min_days))
    if classification:
        stmt = stmt.where(col(LoanHolding.classification) == classification)
    rows, next_cursor = await page(session, stmt, [(LoanHolding.days_overdue, True), (LoanHolding.loan_id, False)],
                                   limit, cursor, key_of=lambda row: (row[0].days_overdue, row[0].loan_id))
    names = await staff_names(session, (c.owner for _, c in rows))
    return Page(items=[OverdueLoan(**LoanPublic.model_validate(loan, from_attributes=True).model_dump(),
                                   customer_id=c.id, cif=c.cif, customer_name=c.name, owner=c.owner,
                                   owner_name=names.get(c.owner or "")) for loan, c in rows],
                next_cursor=next_cursor)

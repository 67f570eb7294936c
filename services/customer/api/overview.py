"""GET /customers/{id}/overview: the customer 360 in one call — the masked profile, a holdings summary,
the current A岗 / B岗 with their names, the latest interactions, key contacts and relationships. Outside
the caller's scope it is 404, exactly as GET /customers/{id}. The gateway adds the open tasks, which the
tasks service owns (services/gateway/overview.py)."""
import uuid
from decimal import Decimal
from typing import get_args

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import col, select

from services.customer.api.deps import AUDITED, in_scope, shown_one
from services.customer.api.interactions import (
    BY_KIND,
    BY_NAME,
    LATEST_FIRST,
    active_contacts,
    relationship_public,
    relationships_of,
    timeline,
)
from services.customer.api.names import with_names
from services.customer.api.pages import page
from services.customer.models import CustomerOwnership, DepositAccount, LoanHolding
from services.customer.schemas import (
    ContactPublic,
    CustomerPublic,
    InteractionPublic,
    OwnershipPublic,
    RelationshipCreate,
)
from services.customer.service.tiers import tier_basis
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.clock import business_today
from shared.events.values import LoanClass

router = APIRouter(tags=["customers"], dependencies=AUDITED)
RECENT = 5        # interactions, contacts and relationships shown on the 360; the lists page the rest
WORST_LAST = get_args(LoanClass)   # normal … loss: 五级分类 from best to worst


class HoldingsSummary(BaseModel):
    tier: str
    tier_basis: dict[str, Decimal] = Field(description="what the tier is judged on")
    deposits: dict[str, Decimal] = Field(description="balance of the open deposit accounts, by currency")
    deposit_accounts: int
    loans_outstanding: Decimal
    loans: int
    overdue_loans: int
    overdue_amount: Decimal = Field(description="overdue principal and interest of all loans")
    worst_classification: LoanClass | None = Field(description="the worst 五级分类 among the loans")


class CustomerOverview(BaseModel):
    customer: CustomerPublic
    holdings: HoldingsSummary
    owners: list[OwnershipPublic] = Field(description="the current A岗 and B岗 assignments")
    recent_interactions: list[InteractionPublic] = Field(description=f"the latest {RECENT}")
    contacts: list[ContactPublic] = Field(description=f"active key contacts (the first {RECENT}), phones masked")
    relationships: list[RelationshipCreate]


def summary(tier: str, basis: dict[str, Decimal], accounts, loans) -> HoldingsSummary:
    deposits: dict[str, Decimal] = {}
    for account in accounts:
        if account.closed_on is None:
            deposits[account.currency] = deposits.get(account.currency, Decimal(0)) + account.balance
    overdue = [loan for loan in loans if loan.days_overdue > 0]
    return HoldingsSummary(
        tier=tier, tier_basis=basis, deposits=deposits,
        deposit_accounts=sum(1 for a in accounts if a.closed_on is None),
        loans_outstanding=sum((loan.outstanding for loan in loans), Decimal(0)), loans=len(loans),
        overdue_loans=len(overdue),
        overdue_amount=sum((loan.overdue_principal + loan.overdue_interest for loan in loans), Decimal(0)),
        worst_classification=max((loan.classification for loan in loans), key=WORST_LAST.index, default=None))


@router.get("/customers/{customer_id}/overview", response_model=CustomerOverview, summary="客户360视图")
async def overview(customer_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    customer = await in_scope(session, user, customer_id)
    accounts = (await session.exec(select(DepositAccount).where(DepositAccount.cif == customer.cif))).all()
    loans = (await session.exec(select(LoanHolding).where(LoanHolding.cif == customer.cif))).all()
    owners = (await session.exec(select(CustomerOwnership).where(
        CustomerOwnership.customer_id == customer.id, col(CustomerOwnership.effective_to).is_(None))
        .order_by(col(CustomerOwnership.role)))).all()
    interactions, _ = await page(session, timeline(customer), LATEST_FIRST, RECENT, None)
    contacts, _ = await page(session, active_contacts(customer), BY_NAME, RECENT, None)
    relationships, _ = await page(session, relationships_of(customer), BY_KIND, RECENT, None)
    return CustomerOverview(
        customer=await shown_one(session, customer),
        holdings=summary(customer.tier, await tier_basis(session, customer.cif, customer.kind, business_today()),
                         accounts, loans),
        owners=await with_names(session, owners, OwnershipPublic),
        recent_interactions=await with_names(session, interactions, InteractionPublic),
        contacts=[ContactPublic.of(c) for c in contacts],
        relationships=[relationship_public(r) for r in relationships])

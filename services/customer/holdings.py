"""Holdings projection (360 view) from core-banking events: deposit accounts, loans, and end-of-day
balance totals per business date (the basis of the corporate daily averages); and the customer's tier,
recomputed whenever a balance moves, publishing `customer.tier-changed` when it changes.

Holdings are keyed by CIF, not by our customer row: core banking may speak of a customer before an RM
registers it, and the tier is computed at registration from what is already known.
"""
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Column, Numeric, func
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.config import Settings
from services.customer.models import Customer
from services.customer.tier import TierRules, month_to_date_average
from shared.db import insert
from shared.events import CUSTOMER_TOPIC, CustomerTierChanged
from shared.outbox import record_event


def _money(**kw):
    return Field(sa_column=Column(Numeric(18, 2), **kw))


class DepositAccount(SQLModel, table=True):
    __tablename__ = "deposit_account"
    account_id: str = Field(primary_key=True, max_length=64)
    cif: str = Field(max_length=32, index=True)
    product: str = Field(max_length=20)
    currency: str = Field(default="CNY", max_length=3)
    balance: Decimal = _money(nullable=False)
    opened_on: date | None = None
    maturity_date: date | None = None
    closed_on: date | None = None


class LoanHolding(SQLModel, table=True):
    __tablename__ = "loan_holding"
    loan_id: str = Field(primary_key=True, max_length=64)
    cif: str = Field(max_length=32, index=True)
    product: str | None = Field(default=None, max_length=60)
    principal: Decimal | None = _money()
    outstanding: Decimal = _money(nullable=False)
    disbursed_on: date | None = None
    maturity_date: date | None = None
    next_due_date: date | None = None
    classification: str = Field(default="normal", max_length=20)   # 五级分类
    days_overdue: int = 0
    overdue_principal: Decimal = _money(nullable=False)
    overdue_interest: Decimal = _money(nullable=False)


class BalanceDay(SQLModel, table=True):
    """End-of-day total of a customer's deposits or loans on a business date it changed."""
    __tablename__ = "balance_day"
    cif: str = Field(primary_key=True, max_length=32)
    kind: str = Field(primary_key=True, max_length=10)    # deposits / loans
    day: date = Field(primary_key=True)
    balance: Decimal = _money(nullable=False)


@lru_cache(maxsize=1)
def tier_rules() -> TierRules:
    s = Settings()
    return TierRules(gold=s.tier_gold, platinum=s.tier_platinum, private=s.tier_private,
                     corporate_deposits=s.tier_corporate_deposits, corporate_loans=s.tier_corporate_loans)


async def deposit_account(session: AsyncSession, account_id: str, cif: str, product: str = "demand") -> DepositAccount:
    account = await session.get(DepositAccount, account_id)
    return account or DepositAccount(account_id=account_id, cif=cif, product=product, balance=Decimal("0.00"))


async def loan_holding(session: AsyncSession, loan_id: str, cif: str) -> LoanHolding:
    loan = await session.get(LoanHolding, loan_id)
    return loan or LoanHolding(loan_id=loan_id, cif=cif, outstanding=Decimal("0.00"),
                               overdue_principal=Decimal("0.00"), overdue_interest=Decimal("0.00"))


async def record_day_total(session: AsyncSession, cif: str, kind: str, day: date) -> None:
    """Upsert today's end-of-day total of one kind from the current holdings (flushed first)."""
    await session.flush()
    if kind == "deposits":
        stmt = select(func.coalesce(func.sum(DepositAccount.balance), 0)).where(
            DepositAccount.cif == cif, DepositAccount.closed_on.is_(None))
    else:
        stmt = select(func.coalesce(func.sum(LoanHolding.outstanding), 0)).where(LoanHolding.cif == cif)
    total = Decimal((await session.exec(stmt)).one())
    upsert = insert(session, BalanceDay).values(cif=cif, kind=kind, day=day, balance=total)
    await session.execute(upsert.on_conflict_do_update(index_elements=["cif", "kind", "day"],
                                                       set_={"balance": total}))


async def tier_basis(session: AsyncSession, customer: Customer, as_of: date) -> dict[str, Decimal]:
    if customer.kind == "retail":
        aum = (await session.exec(select(func.coalesce(func.sum(DepositAccount.balance), 0)).where(
            DepositAccount.cif == customer.cif, DepositAccount.closed_on.is_(None)))).one()
        return {"aum": Decimal(aum).quantize(Decimal("0.01"))}
    rows = (await session.exec(select(BalanceDay).where(BalanceDay.cif == customer.cif))).all()
    return {f"avg_{kind}": month_to_date_average([(r.day, r.balance) for r in rows if r.kind == kind], as_of)
            for kind in ("deposits", "loans")}


async def recompute_tier(session: AsyncSession, cif: str, *, business_date: date, now: datetime) -> str | None:
    """Set the customer's tier from its holdings as of business_date; announce a change. None: not our customer."""
    customer = (await session.exec(select(Customer).where(Customer.cif == cif))).first()
    if customer is None:
        return None
    basis = await tier_basis(session, customer, business_date)
    rules = tier_rules()
    tier = rules.retail(basis["aum"]) if customer.kind == "retail" else rules.corporate(
        basis["avg_deposits"], basis["avg_loans"])
    if tier != customer.tier:
        record_event(session, CUSTOMER_TOPIC, "customer.tier-changed", CustomerTierChanged(
            customer_id=cif, customer_ref=str(customer.id), kind=customer.kind, from_tier=customer.tier, to_tier=tier,
            owner=customer.owner, basis={k: str(v) for k, v in basis.items()}),
            subject=cif, business_date=business_date, source="customer-service", now=now)
        customer.tier, customer.version = tier, customer.version + 1
        session.add(customer)
    return tier

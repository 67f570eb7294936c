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


def new_deposit_account(account_id: str, cif: str, product: str = "demand") -> DepositAccount:
    """An account core banking mentions before we have a row for it: zero until an event says otherwise."""
    return DepositAccount(account_id=account_id, cif=cif, product=product, balance=Decimal("0.00"))


def new_loan(loan_id: str, cif: str) -> LoanHolding:
    return LoanHolding(loan_id=loan_id, cif=cif, outstanding=Decimal("0.00"), overdue_principal=Decimal("0.00"),
                       overdue_interest=Decimal("0.00"))


async def deposit_account(session: AsyncSession, account_id: str, cif: str, product: str = "demand") -> DepositAccount:
    return await session.get(DepositAccount, account_id) or new_deposit_account(account_id, cif, product)


async def loan_holding(session: AsyncSession, loan_id: str, cif: str) -> LoanHolding:
    return await session.get(LoanHolding, loan_id) or new_loan(loan_id, cif)


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


def retail_basis(aum) -> dict[str, Decimal]:
    return {"aum": Decimal(aum).quantize(Decimal("0.01"))}


def corporate_basis(days: dict[str, list[tuple[date, Decimal]]], as_of: date) -> dict[str, Decimal]:
    """days: kind -> (business date, end-of-day total) of the days that total changed."""
    return {f"avg_{kind}": month_to_date_average(days.get(kind, []), as_of) for kind in ("deposits", "loans")}


def tier_for(kind: str, basis: dict[str, Decimal]) -> str:
    rules = tier_rules()
    return rules.retail(basis["aum"]) if kind == "retail" else rules.corporate(basis["avg_deposits"],
                                                                               basis["avg_loans"])


def announce_tier(session: AsyncSession, customer, tier: str, basis: dict[str, Decimal], *, business_date: date,
                  now: datetime) -> None:
    """Move `customer` (a Customer, or a row with the same attributes) to `tier` and stage the event."""
    record_event(session, CUSTOMER_TOPIC, "customer.tier-changed", CustomerTierChanged(
        customer_id=customer.cif, customer_ref=str(customer.id), kind=customer.kind, from_tier=customer.tier,
        to_tier=tier, owner=customer.owner, basis={k: str(v) for k, v in basis.items()}),
        subject=customer.cif, business_date=business_date, source="customer-service", now=now)
    customer.tier, customer.version = tier, customer.version + 1


async def tier_basis(session: AsyncSession, customer: Customer, as_of: date) -> dict[str, Decimal]:
    if customer.kind == "retail":
        return retail_basis((await session.exec(select(func.coalesce(func.sum(DepositAccount.balance), 0)).where(
            DepositAccount.cif == customer.cif, DepositAccount.closed_on.is_(None)))).one())
    rows = (await session.exec(select(BalanceDay).where(BalanceDay.cif == customer.cif))).all()
    days: dict[str, list[tuple[date, Decimal]]] = {}
    for r in rows:
        days.setdefault(r.kind, []).append((r.day, r.balance))
    return corporate_basis(days, as_of)


async def recompute_tier(session: AsyncSession, cif: str, *, business_date: date, now: datetime) -> str | None:
    """Set the customer's tier from its holdings as of business_date; announce a change. None: not our customer."""
    customer = (await session.exec(select(Customer).where(Customer.cif == cif))).first()
    if customer is None:
        return None
    basis = await tier_basis(session, customer, business_date)
    tier = tier_for(customer.kind, basis)
    if tier != customer.tier:
        announce_tier(session, customer, tier, basis, business_date=business_date, now=now)
        session.add(customer)
    return tier

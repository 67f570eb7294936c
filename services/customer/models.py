"""Tables the customer service owns: org units, teams, staff, customers, their ownership history,
transfer requests and refused claims, the audit trail, interactions, the industry policy, relationships
and key contacts, the holdings projected from core banking (accounts, loans, end-of-day totals) and the
open-task read model. (The sign-in sessions' refresh tokens stay with service/sessions.py for now.)"""
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Column, Integer, Numeric
from sqlmodel import Field, SQLModel

from shared.clock import utcnow


class OrgUnit(SQLModel, table=True):
    __tablename__ = "org_unit"
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    level: str = Field(max_length=20)          # head_office / branch / sub_branch / outlet
    parent_code: str | None = Field(default=None, foreign_key="org_unit.code", max_length=32)
    path: str = Field(max_length=400, index=True)  # "HQ/BR01/SB01": subtree scope is a prefix match


class Team(SQLModel, table=True):
    __tablename__ = "team"
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    unit_code: str = Field(foreign_key="org_unit.code", max_length=32)


class Staff(SQLModel, table=True):
    __tablename__ = "staff"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=200)
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    unit_code: str = Field(foreign_key="org_unit.code", max_length=32)
    team_code: str | None = Field(default=None, foreign_key="team.code", max_length=32)
    grade: str | None = Field(default=None, max_length=20)
    active: bool = True


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    cif: str = Field(unique=True, max_length=32)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=20)
    government_related: bool = False
    industry: str | None = Field(default=None, max_length=100)
    birthday: date | None = None
    phone: str | None = Field(default=None, max_length=32)
    national_id: str | None = Field(default=None, max_length=32)   # resident ID (GB 11643); masked
    credit_code: str | None = Field(default=None, max_length=18)   # unified social credit code (GB 32100)
    address: str | None = Field(default=None, max_length=300)
    risk_preference: str | None = Field(default=None, max_length=20)
    credit_rating: str | None = Field(default=None, max_length=10)
    status: str = Field(default="new", max_length=20)
    tier: str = Field(default="standard", max_length=20)
    unit_code: str = Field(foreign_key="org_unit.code", max_length=32)
    unit_path: str = Field(max_length=400, index=True)
    owner: str | None = Field(default=None, max_length=64, index=True)       # A岗 manager (username)
    owner_team: str | None = Field(default=None, max_length=32, index=True)
    backup_owner: str | None = Field(default=None, max_length=64, index=True)  # B岗 manager (username)
    backup_team: str | None = Field(default=None, max_length=32, index=True)
    prospect_stage: str | None = Field(default=None, max_length=20)
    source_channel: str | None = Field(default=None, max_length=30)
    referred_by: str | None = Field(default=None, max_length=32)   # CIF of the referring customer
    lost_reason: str | None = Field(default=None, max_length=300)
    version: int = 1            # optimistic concurrency: the ETag; bumped by every change
    created_at: datetime = Field(default_factory=utcnow)


class CustomerOwnership(SQLModel, table=True):
    """Effective-dated: appraisal credits each day to whoever owned the customer that day."""
    __tablename__ = "customer_ownership"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    role: str = Field(max_length=1)            # A or B
    owner: str = Field(max_length=64)
    owner_team: str | None = Field(default=None, max_length=32)
    effective_from: datetime
    effective_to: datetime | None = None
    reason: str | None = Field(default=None, max_length=500)
    assigned_by: str = Field(max_length=64)


class TransferRequest(SQLModel, table=True):
    """An RM proposes, a lead or above decides (separation of duties: never the requester)."""
    __tablename__ = "transfer_request"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    role: str = Field(default="A", max_length=1)
    to_owner: str = Field(max_length=64)
    reason: str = Field(max_length=500)
    requested_by: str = Field(max_length=64)
    requested_at: datetime
    status: str = Field(default="pending", max_length=20)   # pending / approved / rejected
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=500)
    team: str | None = Field(default=None, max_length=32)     # the customer's team when requested
    unit_path: str = Field(max_length=400)


class ClaimRefusal(SQLModel, table=True):
    """不抢客户: an RM tried to claim a customer someone else owns; kept for the claimant's lead."""
    __tablename__ = "claim_refusal"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id")
    cif: str = Field(max_length=32)
    claimant: str = Field(max_length=64)
    claimant_team: str | None = Field(default=None, max_length=32)
    owner: str = Field(max_length=64)
    at: datetime
    unit_path: str = Field(max_length=400)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    seq: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"),
                                                           primary_key=True, autoincrement=True))
    at: datetime
    actor: str = Field(max_length=64)
    action: str = Field(max_length=60)
    customer_id: uuid.UUID | None = None
    cif: str | None = Field(default=None, max_length=32)
    unit_path: str = Field(max_length=400)      # whose subtree's auditors may read this entry
    request_id: str | None = Field(default=None, max_length=100)
    client: str | None = Field(default=None, max_length=100)
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))


class Interaction(SQLModel, table=True):
    __tablename__ = "interaction"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    cif: str = Field(max_length=32)
    rm: str = Field(max_length=64, index=True)
    team: str | None = Field(default=None, max_length=32)
    channel: str = Field(max_length=20)
    occurred_on: date
    notes: str = Field(max_length=4000)
    needs: str | None = Field(default=None, max_length=2000)
    next_step: str | None = Field(default=None, max_length=2000)
    co_signed_by: str | None = Field(default=None, max_length=100)
    task_id: str | None = Field(default=None, max_length=64)
    created_at: datetime
    spot_checked_by: str | None = Field(default=None, max_length=64)
    spot_checked_at: datetime | None = None
    # counted / pending_approval / rejected: logged too long after it happened, it counts once the lead
    # approves; a rejected one never counts (kept: the log is immutable)
    status: str = Field(default="counted", max_length=20)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=500)


class IndustryPolicy(SQLModel, table=True):
    """The bank's industry policy (行业政策) from a half-year plan: one row per industry and period."""
    __tablename__ = "industry_policy"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    industry: str = Field(max_length=100, index=True)
    policy: str = Field(max_length=20)         # maintain / grow / control
    effective_from: date
    effective_to: date | None = None           # last day it applies; open-ended when None
    set_by: str = Field(max_length=64)


class Relationship(SQLModel, table=True):
    __tablename__ = "relationship"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    kind: str = Field(max_length=30)
    related_cif: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=300)


class KeyContact(SQLModel, table=True):
    __tablename__ = "key_contact"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=60)
    phone: str | None = Field(default=None, max_length=32)
    active: bool = True


def _money(**kw):
    return Field(sa_column=Column(Numeric(18, 2), **kw))


class DepositAccount(SQLModel, table=True):
    """Keyed by account, not by our customer: core banking may speak of a CIF before an RM registers it."""
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


class OpenTask(SQLModel, table=True):
    """Open tasks as the tasks service announced them (task.created minus completed/cancelled)."""
    __tablename__ = "open_task"
    task_id: str = Field(primary_key=True, max_length=64)
    cif: str | None = Field(default=None, max_length=32, index=True)
    assignee: str | None = Field(default=None, max_length=64, index=True)
    kind: str = Field(max_length=40)
    due_date: date

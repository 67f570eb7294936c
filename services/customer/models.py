"""Tables the customer service owns: org units, teams, staff, customers, their ownership history,
transfer requests and refused claims. (Audit, holdings, interactions and relationships live beside
the code that owns them: audit.py, holdings.py, interactions.py, relationships.py.)"""
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Column
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

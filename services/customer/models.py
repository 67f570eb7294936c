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
    # 通融权限 the admin granted this person; None: their grade's (rules.discretionary_authority)
    discretionary_authority: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 2)))


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


class BusinessDayOverride(SQLModel, table=True):
    """The bank's word on a day as the tasks service announced it (calendar.changed): the business-day rule
    takes it over China's public calendar. A removed override stays as a row with business_day null, so an
    older change delivered late never brings it back (changed_at: when the change was made)."""
    __tablename__ = "business_day_override"
    day: date = Field(primary_key=True)
    business_day: bool | None = None
    reason: str | None = Field(default=None, max_length=200)
    changed_at: datetime


# --- The controls (issue 18): credit applications and their recorded approval decisions, complaints,
# audit cases and their findings, staff qualification records and conduct records.
class CreditApplication(SQLModel, table=True):
    """A loan file: ready the moment its checklist and the RM's commitment are complete; submitted to
    review when the RM and a risk manager have both signed (双签); reviewed apart from marketing."""
    __tablename__ = "credit_application"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    cif: str = Field(max_length=32, index=True)
    unit_path: str = Field(max_length=400, index=True)
    team: str | None = Field(default=None, max_length=32, index=True)
    rm: str = Field(max_length=64, index=True)               # the marketing RM (the customer's A岗)
    product: str = Field(max_length=60)
    amount: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    purpose: str = Field(max_length=500)
    investigators: list[str] = Field(sa_column=Column(JSON, nullable=False))
    documents: list[str] = Field(sa_column=Column(JSON, nullable=False))
    commitment_signed_at: datetime | None = None              # 尽职调查承诺书
    status: str = Field(default="incomplete", max_length=20)  # incomplete/ready/submitted/approved/declined
    ready_on: date | None = None
    due_on: date | None = None
    rm_signed_by: str | None = Field(default=None, max_length=64)
    risk_signed_by: str | None = Field(default=None, max_length=64)
    submitted_on: date | None = None
    escalation_level: int = 0
    escalated_to: str | None = Field(default=None, max_length=64)
    loan_id: str | None = Field(default=None, max_length=64)
    created_at: datetime


class CreditReview(SQLModel, table=True):
    """One approval level's decision as the credit department made it (the workbench records it)."""
    __tablename__ = "credit_review"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    application_id: uuid.UUID = Field(foreign_key="credit_application.id", index=True)
    level: int
    decision: str = Field(max_length=10)      # approve / decline
    reason: str | None = Field(default=None, max_length=500)
    reviewer: str = Field(max_length=64)
    at: datetime


class Complaint(SQLModel, table=True):
    """投诉: pooled with the team lead (the branch head when it is about the lead), never handled by or
    shown to the person it is about; due by severity; escalated to the branch head when late."""
    __tablename__ = "complaint"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    cif: str = Field(max_length=32)
    unit_path: str = Field(max_length=400, index=True)
    team: str | None = Field(default=None, max_length=32, index=True)
    rm: str | None = Field(default=None, max_length=64)       # the customer's A岗 when filed
    channel: str = Field(max_length=20)
    category: str = Field(max_length=30)
    severity: str = Field(max_length=10)
    text: str = Field(max_length=4000)
    about: str | None = Field(default=None, max_length=64, index=True)
    handler: str | None = Field(default=None, max_length=64, index=True)
    filed_by: str = Field(max_length=64)
    filed_on: date
    due_on: date
    status: str = Field(default="open", max_length=20)        # open / escalated / resolved
    escalated_to: str | None = Field(default=None, max_length=64)
    responsible: str | None = Field(default=None, max_length=20)   # rm / staff / bank / customer / none
    responsible_staff: str | None = Field(default=None, max_length=64)
    finding: str | None = Field(default=None, max_length=2000)
    feedback: str | None = Field(default=None, max_length=2000)
    resolved_by: str | None = Field(default=None, max_length=64)
    resolved_on: date | None = None
    created_at: datetime


class AuditCase(SQLModel, table=True):
    """离岗审计 / 常规稽核 of one RM over a period, run by auditors. A departure opens one by itself; the
    departure case is closed only by its sign-off."""
    __tablename__ = "audit_case"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=20)               # departure / routine
    rm: str = Field(max_length=64, index=True)
    unit_path: str = Field(max_length=400, index=True)   # the RM's unit: whose auditors run it
    period_from: date
    period_to: date
    opened_by: str = Field(max_length=64)
    opened_at: datetime
    status: str = Field(default="open", max_length=20)   # open / signed_off
    findings: list[dict] = Field(sa_column=Column(JSON, nullable=False))   # appended, never edited
    conclusion: str | None = Field(default=None, max_length=2000)
    signed_off_by: str | None = Field(default=None, max_length=64)
    signed_off_at: datetime | None = None


class StaffQualification(SQLModel, table=True):
    """岗位资质认证: an RM owns customers only while a passed exam is valid. Records are kept, never edited."""
    __tablename__ = "staff_qualification"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(max_length=64, index=True)
    exam: str = Field(max_length=100)
    passed_on: date
    expires_on: date
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime


class ConductRecord(SQLModel, table=True):
    """What the conduct rules ask staff to put on record: a refusal of a customer's gift, fee or dinner
    (不接受…宴请); a report after hosting a customer at the bank's expense (over budget: approved); a
    request to serve outside the bank (上门服务: approved, two staff, a guard where cash is carried); a
    yearly commitment letter (承诺书). Kept as entered: only an approval decision is added later."""
    __tablename__ = "conduct_record"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=20, index=True)   # refusal / hosting / outside_service / commitment
    staff: str = Field(max_length=64, index=True)
    team: str | None = Field(default=None, max_length=32, index=True)
    unit_path: str = Field(max_length=400, index=True)
    customer_id: uuid.UUID | None = Field(default=None, foreign_key="customer.id")
    cif: str | None = Field(default=None, max_length=32)
    occurred_on: date
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 2)))   # a cost or an offer's value
    details: dict = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="recorded", max_length=20)   # recorded / pending / approved / rejected
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = None
    created_at: datetime


class Callback(SQLModel, table=True):
    """回访: a customer drawn for the month's independent call-back (or called back ad hoc) by someone
    other than their RM, and the result: reached, satisfaction 1–5, issues found."""
    __tablename__ = "callback"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    month: date                                   # the 1st of the month it was drawn for
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    cif: str = Field(max_length=32)
    unit_path: str = Field(max_length=400, index=True)
    team: str | None = Field(default=None, max_length=32, index=True)
    rm: str | None = Field(default=None, max_length=64, index=True)      # the customer's RM, never the caller
    assignee: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(default="drawn", max_length=20)   # drawn / recorded
    caller: str | None = Field(default=None, max_length=64)
    reached: bool | None = None
    satisfaction: int | None = None
    issues: str | None = Field(default=None, max_length=2000)
    complaint_id: uuid.UUID | None = None
    created_at: datetime
    recorded_at: datetime | None = None
class MarketingResult(SQLModel, table=True):
    """A marketing result the RM registered (登记每日营销业绩): counts once confirmed — by the core-banking
    event that bears it out, or, for categories no event confirms, by the lead's check."""
    __tablename__ = "marketing_result"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customer.id", index=True)
    cif: str = Field(max_length=32, index=True)
    rm: str = Field(max_length=64, index=True)
    team: str | None = Field(default=None, max_length=32)
    unit_path: str = Field(default="", max_length=400)
    category: str = Field(max_length=30)
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 2)))
    count: int | None = None
    result_date: date = Field(index=True)
    status: str = Field(default="registered", max_length=20)   # registered / confirmed
    confirmed_by: str | None = Field(default=None, max_length=10)   # event / lead
    evidence: str | None = Field(default=None, max_length=128, index=True)   # the confirming fact, or the lead
    confirmed_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)

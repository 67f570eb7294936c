"""Tables of the controls (issue 18): credit applications and their recorded approval decisions,
complaints, audit cases and their findings, and staff qualification records."""
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Numeric
from sqlmodel import Field, SQLModel


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

"""Tables the tasks service owns: tasks, its projections (customers, loans, staff, deposit days), rule
settings, the business calendar, the scheduler's bookmark, the RM's day and the audit trail of writes."""
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.clock import utcnow

OPEN_STATUSES = ("open", "in_progress")


class CustomerBook(SQLModel, table=True):
    """Projection of customer.registered / customer.assigned: enough to route a task to its owner."""
    __tablename__ = "customer_book"
    cif: str = Field(primary_key=True, max_length=32)
    customer_ref: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)        # from customer.registered: tasks say whom
    owner: str | None = Field(default=None, max_length=64)
    owner_team: str | None = Field(default=None, max_length=32)
    unit_path: str = Field(default="", max_length=400)
    government_related: bool = False
    kind: str | None = Field(default=None, max_length=20)        # retail / corporate, from customer.registered
    tier: str = Field(default="standard", max_length=20)         # from customer.tier-changed
    birthday: date | None = None
    last_contact_on: date | None = None                          # the last interaction logged (any channel)
    b_manager: str | None = Field(default=None, max_length=64)   # B岗, from customer.assigned role B
    first_business_on: date | None = None                        # first account or loan: the thank-you's cue
    industry_policy: str | None = Field(default=None, max_length=20)   # maintain / grow / control (行业政策)
    updated_at: datetime = Field(default_factory=utcnow)


class Task(SQLModel, table=True):
    __tablename__ = "task"
    # One task per (rule, subject, anchor date): a repeated or re-delivered event never makes a second.
    __table_args__ = (UniqueConstraint("rule", "subject", "anchor_date", name="uq_task_rule_subject_anchor"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    rule: str = Field(max_length=64)
    rule_version: int = 1
    kind: str = Field(max_length=40)
    subject: str = Field(max_length=64, index=True)  # what the task is about: a loan id, an account id…
    anchor_date: date                            # the fact's own date (e.g. the loan's due date)
    cif: str | None = Field(default=None, max_length=32, index=True)
    customer_ref: str | None = Field(default=None, max_length=64, index=True)   # GET /tasks?customer_id=
    assignee: str | None = Field(default=None, max_length=64, index=True)   # None: the unit's unassigned queue
    team: str | None = Field(default=None, max_length=32)
    unit_path: str = Field(default="", max_length=400)
    due_date: date = Field(index=True)
    due_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))  # clock-hour rules
    priority: int = 2                            # 1 urgent, 2 high, 3 normal
    status: str = Field(default="open", max_length=20)
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 2)))
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source_event_id: str | None = Field(default=None, max_length=128)
    outcome: str | None = None
    cancel_reason: str | None = Field(default=None, max_length=200)
    copied_to: str | None = Field(default=None, max_length=64, index=True)     # e.g. the risk manager on overdue
    escalated_to: str | None = Field(default=None, max_length=64, index=True)  # the team lead, once past due
    escalation_level: int = 0
    tier_rank: int = 9                           # ranking keys kept on the row so the agenda sorts in SQL
    risk_rank: int = 9
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None


class CalendarOverride(SQLModel, table=True):
    """The bank's own word on a date, over the public-holiday defaults (e.g. a branch closed, 调休)."""
    __tablename__ = "calendar_override"
    day: date = Field(primary_key=True)
    business_day: bool
    note: str | None = Field(default=None, max_length=200)


class LoanBook(SQLModel, table=True):
    """Projection of a loan's life from core banking: cause checks (repaid?) and post-loan schedules."""
    __tablename__ = "loan_book"
    loan_id: str = Field(primary_key=True, max_length=64)
    cif: str = Field(max_length=32, index=True)
    principal: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    outstanding: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    classification: str = Field(default="normal", max_length=20)
    disbursed_on: date | None = None
    maturity_date: date | None = None
    government_related: bool | None = None      # the loan's own flag (loan.disbursed); None: never seen disbursed
    maturity_outcome: str | None = Field(default=None, max_length=20)   # collected / renewed / extended / …


class DepositDay(SQLModel, table=True):
    """One account's flows on one business day: the 'in a day' of the large-outflow rule."""
    __tablename__ = "deposit_day"
    account_id: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    cif: str = Field(max_length=32)
    opening_balance: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    outflow: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(18, 2), nullable=False))
    inflow: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(18, 2), nullable=False))
    # of the inflow, what only came back against a retention call: not new money for a follow-up
    returned: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(18, 2), nullable=False))


class StaffEntry(SQLModel, table=True):
    """Projection of staff.changed: who leads a team, who is the unit's risk manager."""
    __tablename__ = "staff_book"
    username: str = Field(primary_key=True, max_length=64)
    roles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unit_path: str = Field(default="", max_length=400)
    team: str | None = Field(default=None, max_length=32)
    grade: str | None = Field(default=None, max_length=20)   # caps the customer tier the RM may own
    active: bool = True


class RuleSetting(SQLModel, table=True):
    """A version of one rule's numbers; the newest active version is the one in force."""
    __tablename__ = "task_rule"
    name: str = Field(primary_key=True, max_length=64)
    version: int = Field(primary_key=True)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = True
    changed_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class SchedulerBookmark(SQLModel, table=True):
    """The last business date the scheduler finished: after an outage it resumes the day after."""
    __tablename__ = "scheduler_bookmark"
    job: str = Field(primary_key=True, max_length=64)
    last_day: date


class Appointment(SQLModel, table=True):
    """A booked meeting with a customer (客户预约); `booked` until kept (an interaction that day), missed or
    cancelled. Two booked appointments of one RM never overlap (checked under a per-RM lock)."""
    __tablename__ = "appointment"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    rm: str = Field(max_length=64, index=True)
    team: str | None = Field(default=None, max_length=32)
    unit_path: str = Field(default="", max_length=400)
    cif: str = Field(max_length=32, index=True)
    customer_ref: str | None = Field(default=None, max_length=64)
    starts_at: datetime
    ends_at: datetime
    day: date = Field(index=True)                # the bank's date of starts_at: what "its day" means
    place: str = Field(max_length=200)
    purpose: str = Field(max_length=500)
    status: str = Field(default="booked", max_length=20)
    booked_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DayPlan(SQLModel, table=True):
    """The RM's plan for one day (当日工作计划): task and appointment ids in order, each with a note."""
    __tablename__ = "day_plan"
    rm: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    items: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class DayActivity(SQLModel, table=True):
    """What another service told us an RM did on a day, for the summaries: interactions logged,
    marketing results registered or confirmed, premium accounts opened or closed. Keyed by the fact
    (kind, ref), so a re-delivered event rewrites the same row."""
    __tablename__ = "day_activity"
    kind: str = Field(primary_key=True, max_length=40)
    ref: str = Field(primary_key=True, max_length=128)
    rm: str | None = Field(default=None, max_length=64, index=True)
    day: date = Field(index=True)
    cif: str | None = Field(default=None, max_length=32)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Summary(SQLModel, table=True):
    """An RM's daily or weekly summary (日小结 / 周小结) once notes are added and it is submitted; the
    draft itself is computed on read and frozen into `content` at submission."""
    __tablename__ = "rm_summary"
    rm: str = Field(primary_key=True, max_length=64)
    period: str = Field(primary_key=True, max_length=10)      # YYYY-MM-DD or YYYY-Www
    team: str | None = Field(default=None, max_length=32)
    notes: str = ""
    content: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Who changed what through this service's API, when and in which request: task lifecycle, ad-hoc
    tasks, appointments, day plans, summaries, rules and the calendar. Append-only (a trigger refuses
    UPDATE and DELETE); staged in the write's own transaction, so a rolled-back write leaves no entry."""
    __tablename__ = "task_audit"
    seq: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"),
                                                           primary_key=True, autoincrement=True))
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=40)
    subject: str = Field(max_length=128, index=True)   # a task or appointment id, "rm:date", a rule's name
    unit_path: str = Field(default="", max_length=400)  # whose subtree's auditors read this entry
    request_id: str | None = Field(default=None, max_length=100)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

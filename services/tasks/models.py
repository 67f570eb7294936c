"""Tables the tasks service owns: tasks, its copy of who owns which customer, calendar overrides."""
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.clock import utcnow

OPEN_STATUSES = ("open", "in_progress")


class CustomerBook(SQLModel, table=True):
    """Projection of customer.registered / customer.assigned: enough to route a task to its owner."""
    __tablename__ = "customer_book"
    cif: str = Field(primary_key=True, max_length=32)
    customer_ref: str | None = Field(default=None, max_length=64)
    owner: str | None = Field(default=None, max_length=64)
    owner_team: str | None = Field(default=None, max_length=32)
    unit_path: str = Field(default="", max_length=400)
    government_related: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class Task(SQLModel, table=True):
    __tablename__ = "task"
    # One task per (rule, subject, anchor date): a repeated or re-delivered event never makes a second.
    __table_args__ = (UniqueConstraint("rule", "subject", "anchor_date", name="uq_task_rule_subject_anchor"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    rule: str = Field(max_length=64)
    rule_version: int = 1
    kind: str = Field(max_length=40)
    subject: str = Field(max_length=64)          # what the task is about: a loan id, an account id…
    anchor_date: date                            # the fact's own date (e.g. the loan's due date)
    cif: str | None = Field(default=None, max_length=32, index=True)
    customer_ref: str | None = Field(default=None, max_length=64)
    assignee: str | None = Field(default=None, max_length=64, index=True)   # None: the unit's unassigned queue
    team: str | None = Field(default=None, max_length=32)
    unit_path: str = Field(default="", max_length=400)
    due_date: date = Field(index=True)
    priority: int = 2                            # 1 urgent, 2 high, 3 normal
    status: str = Field(default="open", max_length=20)
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 2)))
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source_event_id: str | None = Field(default=None, max_length=128)
    outcome: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None


class CalendarOverride(SQLModel, table=True):
    """The bank's own word on a date, over the public-holiday defaults (e.g. a branch closed, 调休)."""
    __tablename__ = "calendar_override"
    day: date = Field(primary_key=True)
    business_day: bool
    note: str | None = Field(default=None, max_length=200)

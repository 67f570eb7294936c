"""Tables of facts the appraisal service owns: the ledger of every event it consumed (the history a
recompute replays) and the projections the handlers keep up to date for live scorecards.

Balances and ownership are kept as intervals, not per-day rows: a balance holds from its business
date until the next change; an owner holds a customer from the assignment's business date until the
next assignment. Days are stored as ordinals (date.toordinal()) so overlap arithmetic is plain integer
arithmetic on PostgreSQL and SQLite alike.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Numeric
from sqlmodel import Field, SQLModel

from shared.clock import utcnow


class LedgerEvent(SQLModel, table=True):
    __tablename__ = "ledger_event"
    event_id: str = Field(primary_key=True, max_length=128)
    event_type: str = Field(max_length=100)
    subject: str = Field(max_length=64)
    business_date: date
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow)
    occurred_at: datetime | None = None   # tie-break between two facts of one business date


class BalanceInterval(SQLModel, table=True):
    """A deposit account's or a loan's balance from from_day (inclusive) to to_day (exclusive, None = open)."""
    __tablename__ = "balance_interval"
    account_id: str = Field(primary_key=True, max_length=64)
    from_day: int = Field(primary_key=True)
    to_day: int | None = None
    kind: str = Field(max_length=10)            # deposit | loan
    cif: str = Field(max_length=32, index=True)
    product: str = Field(max_length=32)
    balance: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    occurred_at: datetime
    event_id: str = Field(max_length=128)


class OwnershipInterval(SQLModel, table=True):
    """Who owned a customer in one role (A岗 / B岗) from from_day to to_day (exclusive, None = open)."""
    __tablename__ = "ownership_interval"
    cif: str = Field(primary_key=True, max_length=32)
    role: str = Field(primary_key=True, max_length=1)
    from_day: int = Field(primary_key=True)
    to_day: int | None = None
    owner: str | None = Field(default=None, max_length=64, index=True)
    occurred_at: datetime
    event_id: str = Field(max_length=128)


class ActivityFact(SQLModel, table=True):
    """A countable deed credited to one person: a customer won, a visit/call logged, a task completed."""
    __tablename__ = "activity_fact"
    event_id: str = Field(primary_key=True, max_length=128)
    kind: str = Field(max_length=20)            # won | interaction | task_completed
    username: str = Field(max_length=64, index=True)
    day: int = Field(index=True)
    on_time: bool | None = None
    cif: str | None = Field(default=None, max_length=32)


class LoanRecord(SQLModel, table=True):
    """A loan as appraisal needs it: customer, principal, day disbursed, current five-category class."""
    __tablename__ = "loan_record"
    loan_id: str = Field(primary_key=True, max_length=64)
    cif: str = Field(max_length=32, index=True)
    principal: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    disbursed_day: int           # the originator is the A岗 owner that day, joined when scoring
    classification: str = Field(default="normal", max_length=20)


class LoanFlow(SQLModel, table=True):
    """Money falling due (loan.due, on its due date) and money collected (loan.repaid, on the day paid),
    for the recovery and interest collection rates; credited to the A岗 owner of that day when scored."""
    __tablename__ = "loan_flow"
    event_id: str = Field(primary_key=True, max_length=128)
    loan_id: str = Field(max_length=64)
    cif: str = Field(max_length=32, index=True)
    day: int = Field(index=True)
    amounts: dict = Field(sa_column=Column(JSON, nullable=False))   # e.g. {"principal_due": "100000.00", …}


class StaffMember(SQLModel, table=True):
    """Projection of staff.changed: whose scorecards a lead or branch head may see, and ranking units."""
    __tablename__ = "staff_member"
    username: str = Field(primary_key=True, max_length=64)
    display_name: str = Field(max_length=100)
    roles: list = Field(sa_column=Column(JSON, nullable=False))
    unit: str = Field(max_length=32)
    unit_path: str = Field(max_length=400)
    team: str | None = Field(default=None, max_length=32)
    active: bool = True


class CardStamp(SQLModel, table=True):
    """A counter per person (and "*" for bank-wide changes: KPIs, targets, scores, close) bumped by every
    write that can change their card; a cached provisional card is good while its stamps are unchanged."""
    __tablename__ = "card_stamp"
    scope: str = Field(primary_key=True, max_length=64)
    seq: int = 0

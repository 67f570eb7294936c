"""Every table the appraisal service owns. Facts: the ledger of every event it consumed (the history a
recompute replays) and the projections the handlers keep up to date for live scorecards. Decisions:
KPI definition versions, targets and signed contracts, qualitative plans, period close with its frozen
snapshots, adjustments, the audit trail and NPL responsibility records.

Balances and ownership are kept as intervals, not per-day rows: a balance holds from its business
date until the next change; an owner holds a customer from the assignment's business date until the
next assignment. Days are stored as ordinals (date.toordinal()) so overlap arithmetic is plain integer
arithmetic on PostgreSQL and SQLite alike.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Column, Integer, Numeric
from sqlmodel import Field, SQLModel

from services.appraisal.rules import NEW_LOAN_CLASS
from shared.clock import utcnow


def _money() -> Column:
    return Column(Numeric(18, 2), nullable=False)


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
    balance: Decimal = Field(sa_column=_money())
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


class ServiceCheck(SQLModel, table=True):
    """What the customer side says about an RM (rules.service_check): a complaint resolved with the RM found
    responsible, or an independent call-back's satisfaction (1–5), on the day it was established."""
    __tablename__ = "service_check"
    event_id: str = Field(primary_key=True, max_length=128)
    kind: str = Field(max_length=10)            # complaint | callback
    username: str = Field(max_length=64, index=True)
    day: int = Field(index=True)
    cif: str = Field(max_length=32)
    satisfaction: int | None = None


class LoanRecord(SQLModel, table=True):
    """A loan as appraisal needs it: customer, principal, day disbursed, current five-category class."""
    __tablename__ = "loan_record"
    loan_id: str = Field(primary_key=True, max_length=64)
    cif: str = Field(max_length=32, index=True)
    principal: Decimal = Field(sa_column=_money())
    disbursed_day: int           # the originator is the A岗 owner that day, joined when scoring
    classification: str = Field(default=NEW_LOAN_CLASS, max_length=20)


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


class KpiVersion(SQLModel, table=True):
    """One immutable version of the KPI set; a period uses the newest version effective by its month."""
    __tablename__ = "kpi_version"
    version: int = Field(primary_key=True)
    effective_from: str = Field(max_length=7)   # "YYYY-MM"
    definitions: list = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Target(SQLModel, table=True):
    """A target for one month, one indicator and one node of the tree: bank, unit, team or rm."""
    __tablename__ = "target"
    period: str = Field(primary_key=True, max_length=7)
    indicator: str = Field(primary_key=True, max_length=40)
    level: str = Field(primary_key=True, max_length=8)     # bank | unit | team | rm
    key: str = Field(primary_key=True, max_length=64)      # unit code, team code or username
    parent_level: str | None = Field(default=None, max_length=8)
    parent_key: str | None = Field(default=None, max_length=64)
    amount: Decimal = Field(sa_column=_money())
    set_by: str = Field(max_length=64)
    set_at: datetime = Field(default_factory=utcnow)


class TargetContract(SQLModel, table=True):
    """任务目标责任书: an RM's targets for a period as signed; never changed afterwards."""
    __tablename__ = "target_contract"
    username: str = Field(primary_key=True, max_length=64)
    period: str = Field(primary_key=True, max_length=7)
    targets: dict = Field(sa_column=Column(JSON, nullable=False))
    signed_on: date
    signed_at: datetime = Field(default_factory=utcnow)


class QualitativePlan(SQLModel, table=True):
    """Who scores whom on which qualitative items, by when."""
    __tablename__ = "qualitative_plan"
    id: str = Field(primary_key=True, max_length=36)
    period: str = Field(max_length=7, index=True)
    evaluator: str = Field(max_length=64)
    subject: str = Field(max_length=64, index=True)
    items: list = Field(sa_column=Column(JSON, nullable=False))
    due_date: date
    scores: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # item -> points (partial ok)


class PeriodClose(SQLModel, table=True):
    __tablename__ = "period_close"
    period: str = Field(primary_key=True, max_length=7)
    status: str = Field(max_length=12)         # closed -> published -> signed_off
    kpi_version: int
    closed_by: str = Field(max_length=64)
    closed_at: datetime = Field(default_factory=utcnow)
    appeal_until: date | None = None
    signed_off_by: str | None = Field(default=None, max_length=64)


class ScorecardSnapshot(SQLModel, table=True):
    """The frozen card of one person for a closed period; adjustments change total and grade only."""
    __tablename__ = "scorecard_snapshot"
    period: str = Field(primary_key=True, max_length=7)
    username: str = Field(primary_key=True, max_length=64)
    unit: str | None = Field(default=None, max_length=32)
    card: dict = Field(sa_column=Column(JSON, nullable=False))
    total: Decimal = Field(sa_column=Column(Numeric(8, 2), nullable=False))
    grade: str = Field(max_length=12)
    rank_bank: int
    rank_unit: int
    flagged: bool = False


class ScoreAdjustment(SQLModel, table=True):
    __tablename__ = "score_adjustment"
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"),
                                                          primary_key=True, autoincrement=True))
    period: str = Field(max_length=7)
    username: str = Field(max_length=64, index=True)
    points: Decimal = Field(sa_column=Column(Numeric(8, 2), nullable=False))
    reason: str = Field(max_length=500)
    adjusted_by: str = Field(max_length=64)
    adjusted_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Who did what to whose score, when and from where: every write an appraisal decision makes."""
    __tablename__ = "appraisal_audit"
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"),
                                                          primary_key=True, autoincrement=True))
    actor: str = Field(max_length=64)
    action: str = Field(max_length=40)
    subject: str = Field(max_length=64, index=True)
    detail: dict = Field(sa_column=Column(JSON, nullable=False))
    request_id: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow)


class NplResponsibility(SQLModel, table=True):
    """责任认定: a new NPL's loss charged to an RM who originated or monitored it; deducted at year end."""
    __tablename__ = "npl_responsibility"
    loan_id: str = Field(primary_key=True, max_length=64)
    username: str = Field(primary_key=True, max_length=64)
    year: int = Field(index=True)
    role: str = Field(max_length=12)            # originated | monitored
    loss_amount: Decimal = Field(sa_column=_money())
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow)


class FeeIncome(SQLModel, table=True):
    """中间业务收入: a fee posted (fee.posted), credited to the customer's A岗 owner on the day posted; a
    reversal is its own row with a negative amount, so sums net out."""
    __tablename__ = "fee_income"
    fee_key: str = Field(primary_key=True, max_length=140)   # the fee_id; "reversal:<fee_id>" for its reversal
    cif: str = Field(max_length=32, index=True)
    day: int = Field(index=True)
    category: str = Field(max_length=16)
    amount: Decimal = Field(sa_column=_money())


class FirstBusiness(SQLModel, table=True):
    """新增客户: the day a customer's first account opened or first loan was disbursed (the earliest seen)."""
    __tablename__ = "first_business"
    cif: str = Field(primary_key=True, max_length=32)
    day: int = Field(index=True)


class TaskRecord(SQLModel, table=True):
    """A task as the on-time rate needs it (task.created / task.escalated / task.completed / task.cancelled):
    one still open past its due date counts as late."""
    __tablename__ = "task_record"
    task_id: str = Field(primary_key=True, max_length=64)
    assignee: str | None = Field(default=None, max_length=64, index=True)
    due_day: int = Field(index=True)
    closed_day: int | None = None     # completed or cancelled on


class NplCase(SQLModel, table=True):
    """责任认定 case opened when a loan becomes substandard or worse: proposed against the originating RM and
    the nearest risk manager (连带问责); someone other than them (the branch head) confirms or rejects it."""
    __tablename__ = "npl_case"
    loan_id: str = Field(primary_key=True, max_length=64)
    cif: str = Field(max_length=32)
    opened_day: int
    to_class: str = Field(max_length=20)
    originator: str | None = Field(default=None, max_length=64)
    risk_manager: str | None = Field(default=None, max_length=64)
    status: str = Field(default="proposed", max_length=10)     # proposed -> confirmed | rejected
    reason: str | None = Field(default=None, max_length=500)
    loss_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 2)))
    decided_by: str | None = Field(default=None, max_length=64)

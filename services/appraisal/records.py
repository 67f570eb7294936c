"""Tables of what people set, sign and decide: KPI definition versions, targets and signed target
contracts, qualitative plans and scores, period close with its frozen snapshot, adjustments, the audit
trail, and NPL responsibility records."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Column, Integer, Numeric
from sqlmodel import Field, SQLModel

from shared.clock import utcnow



def _money(nullable: bool = False) -> Column:
    return Column(Numeric(18, 2), nullable=nullable)


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
    id: int | None = Field(sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                            autoincrement=True))
    period: str = Field(max_length=7)
    username: str = Field(max_length=64, index=True)
    points: Decimal = Field(sa_column=Column(Numeric(8, 2), nullable=False))
    reason: str = Field(max_length=500)
    adjusted_by: str = Field(max_length=64)
    adjusted_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Who did what to whose score, when and from where: every write an appraisal decision makes."""
    __tablename__ = "appraisal_audit"
    id: int | None = Field(sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                            autoincrement=True))
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

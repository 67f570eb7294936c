"""API models of the appraisal service: request bodies, path/query parameters and the cards returned."""
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from services.appraisal.rules import MONTH_PATTERN, PERIOD_FORMATS, PERIOD_PATTERN, Indicator
from shared.errors import Problem

_PERIOD_DOC = {"description": PERIOD_FORMATS, "json_schema_extra": {"pattern": PERIOD_PATTERN}}


def _checked(period: str | None) -> str | None:
    """A period the caller mistyped is refused naming the three formats (not a bare "wrong format")."""
    if period is not None and not re.fullmatch(PERIOD_PATTERN, period):
        raise Problem(422, "invalid_period", field="period", value=period, formats=PERIOD_FORMATS)
    return period


def _period_path(period: Annotated[str, Path(**_PERIOD_DOC)]) -> str:
    return _checked(period) or period


def _period_query(period: Annotated[str | None, Query(**_PERIOD_DOC)] = None) -> str | None:
    return _checked(period)


PeriodPath = Annotated[str, Depends(_period_path)]
PeriodQuery = Annotated[str | None, Depends(_period_query)]
PeriodField = Annotated[str, Field(pattern=PERIOD_PATTERN, description=PERIOD_FORMATS)]
MonthField = Annotated[str, Field(pattern=MONTH_PATTERN, description="YYYY-MM")]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


class KpiSet(BaseModel):
    effective_from: MonthField
    definitions: list[dict]


class Breakdown(BaseModel):
    indicator: Indicator
    parent_level: Literal["bank", "unit", "team"] | None = None
    parent_key: str | None = None
    level: Literal["bank", "unit", "team", "rm"]
    targets: dict[str, Amount]


class Plan(BaseModel):
    period: PeriodField
    evaluator: str
    subject: str
    items: list[str]
    due_date: date


class Responsibility(BaseModel):
    loan_id: Annotated[str, Field(min_length=1, max_length=64)]
    username: Annotated[str, Field(min_length=1, max_length=64)]
    role: Literal["originated", "monitored"]
    loss_amount: Amount
    year: Annotated[int, Field(ge=2000, le=2999)]


class CaseDecision(BaseModel):
    decision: Literal["confirm", "reject"]
    reason: Annotated[str, Field(min_length=2, max_length=500)]
    loss_amount: Amount | None = None   # required to confirm: what the NPL cost, charged to those named


class Publish(BaseModel):
    appeal_until: date


class BottomFlagDecision(BaseModel):
    decision: Literal["confirm", "clear"]
    reason: Annotated[str, Field(min_length=2, max_length=500)]


class Adjustment(BaseModel):
    username: str
    points: Annotated[Decimal, Field(max_digits=6, decimal_places=2)]
    reason: Annotated[str, Field(min_length=2, max_length=500)]


class Kpi(BaseModel):
    code: str
    name: str
    raw_value: Decimal | None
    target: Decimal | None
    score: Decimal | None
    weight: Decimal
    indicator: str
    note: str | None = None
    drilldown_path: str | None = None  # the figures behind it: GET this path (same period query)
    drilldown: dict[str, Any] | None = None  # only on the drill-down route: a book's customers can be thousands


class Scorecard(BaseModel):
    username: str
    period: str
    status: str          # provisional until the period is closed; then closed / published / signed_off;
    #                      not_appraised: staff the bank does not appraise (no KPIs, no total)
    kpis: list[Kpi]
    total: Decimal | None
    grade: str | None
    kpi_version: int = 0
    qualitative: list[dict] = []
    responsibility_deduction: Decimal = Decimal(0)
    adjustments: list[dict] = []
    rank_bank: int | None = None
    rank_unit: int | None = None
    flagged: bool = False


class Ranked(BaseModel):
    rank: int
    username: str
    unit: str | None
    total: Decimal
    grade: str | None      # None: no target was set, so no grade
    flagged: bool


class KpiDefinition(BaseModel):
    """One KPI of a set as stored (keys beyond these are kept: a bank's set may carry its own)."""
    model_config = ConfigDict(extra="allow")
    code: str
    name_zh: str
    name_en: str
    weight: Decimal
    indicator: str
    scoring: dict[str, Any] = Field(description="kind (linear, ceiling, threshold, per_unit…) and its numbers")
    params: dict[str, Any] | None = Field(default=None, description="coefficients and A/B split, where the "
                                          "indicator takes them")


class KpiDefinitions(BaseModel):
    version: int = Field(description="0: the built-in defaults, no version saved yet")
    definitions: list[KpiDefinition]


class KpiVersionSaved(BaseModel):
    version: int
    effective_from: str = Field(description="YYYY-MM")


class AdjustmentLine(BaseModel):
    points: str
    reason: str
    by: str


class AdjustedScore(BaseModel):
    username: str
    period: str
    total: str
    grade: str
    rank_bank: int
    adjustments: list[AdjustmentLine]


class BottomFlagDecided(BaseModel):
    username: str
    period: str
    flagged: bool
    status: str = Field(description="confirmed or cleared (proposed until decided)")
    reason: str | None = None
    by: str | None = None


class RecomputeDifference(BaseModel):
    username: str
    live: Decimal | None
    recomputed: Decimal | None


class LedgerKpi(BaseModel):
    """A KPI line of a card as the scoring computes it (both names; the served card picks one)."""
    model_config = ConfigDict(extra="allow")
    code: str
    name_zh: str
    name_en: str
    indicator: str
    weight: Decimal
    raw_value: Decimal | None
    target: Decimal | None
    score: Decimal | None
    note: str | None = None
    drilldown: dict[str, Any] | None = None


class LedgerCard(BaseModel):
    model_config = ConfigDict(extra="allow")
    username: str
    period: str
    kpi_version: int
    kpis: list[LedgerKpi]
    qualitative: list[dict[str, Any]] = []
    responsibility_deduction: Decimal = Decimal(0)
    total: Decimal | None
    grade: str | None
    graded: bool = True


class Recomputed(BaseModel):
    period: str
    scorecards: list[LedgerCard] = Field(description="the cards rebuilt from the ledger")
    matches_live: bool
    differences: list[RecomputeDifference]


class TargetLine(BaseModel):
    level: str
    key: str
    indicator: str
    amount: str

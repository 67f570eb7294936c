"""What the appraisal service publishes: scoring requests and closed periods."""
from datetime import date

from shared.events.envelope import EventData


class ScoringRequested(EventData):
    """Appraisal asks an evaluator to score qualitative items (the tasks service can make it a task)."""
    plan_id: str
    evaluator: str               # username who scores
    subject: str                 # username of the RM being scored
    period: str                  # "YYYY-MM"
    items: list[str]             # item codes of the qualitative library
    due_date: date


class PeriodClosed(EventData):
    """An appraisal period's scorecards are frozen (status closed); totals and grades are in the snapshot."""
    period: str
    scorecards: int
    flagged: list[str]           # usernames in the bottom band (末尾), for HR follow-up
    kpi_version: int

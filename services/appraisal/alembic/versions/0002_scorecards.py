"""Projections for live scorecards (balance and ownership intervals, activity, loans, staff) and the
records of targets, KPI versions, qualitative plans, period close, adjustments, audit, responsibility.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(18, 2)


def code(length: int) -> sa.String:
    """An identifier (CIF, username, product): compared bytewise on PostgreSQL. Linguistic collation
    made grouping a scorecard's few thousand interval rows cost more than finding them."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")
SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("ledger_event") as batch:
        batch.add_column(sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "balance_interval",
        sa.Column("account_id", sa.String(64), primary_key=True), sa.Column("from_day", sa.Integer, primary_key=True),
        sa.Column("to_day", sa.Integer), sa.Column("kind", code(10), nullable=False),
        sa.Column("cif", code(32), nullable=False, index=True), sa.Column("product", code(32), nullable=False),
        sa.Column("balance", MONEY, nullable=False), sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False))
    op.create_table(
        "ownership_interval",
        sa.Column("cif", code(32), primary_key=True), sa.Column("role", code(1), primary_key=True),
        sa.Column("from_day", sa.Integer, primary_key=True), sa.Column("to_day", sa.Integer),
        sa.Column("owner", code(64), index=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False))
    op.create_table(
        "activity_fact",
        sa.Column("event_id", sa.String(128), primary_key=True), sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("day", sa.Integer, nullable=False, index=True), sa.Column("on_time", sa.Boolean),
        sa.Column("cif", sa.String(32)))
    op.create_table(
        "loan_record",
        sa.Column("loan_id", sa.String(64), primary_key=True), sa.Column("cif", sa.String(32), nullable=False, index=True),
        sa.Column("principal", MONEY, nullable=False), sa.Column("disbursed_day", sa.Integer, nullable=False),
        sa.Column("classification", sa.String(20), nullable=False))
    op.create_table(
        "loan_flow",
        sa.Column("event_id", sa.String(128), primary_key=True), sa.Column("loan_id", sa.String(64), nullable=False),
        sa.Column("cif", code(32), nullable=False, index=True), sa.Column("day", sa.Integer, nullable=False, index=True),
        sa.Column("amounts", sa.JSON, nullable=False))
    op.create_table(
        "staff_member",
        sa.Column("username", sa.String(64), primary_key=True), sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False), sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("unit_path", sa.String(400), nullable=False), sa.Column("team", sa.String(32)),
        sa.Column("active", sa.Boolean, nullable=False))
    op.create_table(
        "kpi_version",
        sa.Column("version", sa.Integer, primary_key=True), sa.Column("effective_from", sa.String(7), nullable=False),
        sa.Column("definitions", sa.JSON, nullable=False), sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "target",
        sa.Column("period", sa.String(7), primary_key=True), sa.Column("indicator", sa.String(40), primary_key=True),
        sa.Column("level", sa.String(8), primary_key=True), sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("parent_level", sa.String(8)), sa.Column("parent_key", sa.String(64)),
        sa.Column("amount", MONEY, nullable=False), sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "target_contract",
        sa.Column("username", sa.String(64), primary_key=True), sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("targets", sa.JSON, nullable=False), sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "qualitative_plan",
        sa.Column("id", sa.String(36), primary_key=True), sa.Column("period", sa.String(7), nullable=False, index=True),
        sa.Column("evaluator", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False, index=True),
        sa.Column("items", sa.JSON, nullable=False), sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("scores", sa.JSON, nullable=False))
    op.create_table(
        "period_close",
        sa.Column("period", sa.String(7), primary_key=True), sa.Column("status", sa.String(12), nullable=False),
        sa.Column("kpi_version", sa.Integer, nullable=False), sa.Column("closed_by", sa.String(64), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False), sa.Column("appeal_until", sa.Date),
        sa.Column("signed_off_by", sa.String(64)))
    op.create_table(
        "scorecard_snapshot",
        sa.Column("period", sa.String(7), primary_key=True), sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("unit", sa.String(32)), sa.Column("card", sa.JSON, nullable=False),
        sa.Column("total", sa.Numeric(8, 2), nullable=False), sa.Column("grade", sa.String(12), nullable=False),
        sa.Column("rank_bank", sa.Integer, nullable=False), sa.Column("rank_unit", sa.Integer, nullable=False),
        sa.Column("flagged", sa.Boolean, nullable=False))
    op.create_table(
        "score_adjustment",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True), sa.Column("period", sa.String(7), nullable=False),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("points", sa.Numeric(8, 2), nullable=False), sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("adjusted_by", sa.String(64), nullable=False),
        sa.Column("adjusted_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "audit_entry",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True), sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False), sa.Column("subject", sa.String(64), nullable=False, index=True),
        sa.Column("detail", sa.JSON, nullable=False), sa.Column("request_id", sa.String(64)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "npl_responsibility",
        sa.Column("loan_id", sa.String(64), primary_key=True), sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False, index=True), sa.Column("role", sa.String(12), nullable=False),
        sa.Column("loss_amount", MONEY, nullable=False), sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table("card_stamp", sa.Column("scope", sa.String(64), primary_key=True),
                    sa.Column("seq", sa.BigInteger, nullable=False))
    op.create_index("ix_balance_interval_days", "balance_interval", ["from_day", "to_day"])


def downgrade() -> None:
    for table in ("card_stamp", "npl_responsibility", "audit_entry", "score_adjustment", "scorecard_snapshot", "period_close",
                  "qualitative_plan", "target_contract", "target", "kpi_version", "staff_member", "loan_flow", "loan_record",
                  "activity_fact", "ownership_interval", "balance_interval"):
        op.drop_table(table)
    with op.batch_alter_table("ledger_event") as batch:
        batch.drop_column("occurred_at")

"""Tasks, the customer-owner projection, calendar overrides, and the outbox / processed-event backbone.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_backbone_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_backbone_tables()
    op.create_table(
        "customer_book",
        sa.Column("cif", sa.String(32), primary_key=True),
        sa.Column("customer_ref", sa.String(64)),
        sa.Column("owner", sa.String(64)),
        sa.Column("owner_team", sa.String(32)),
        sa.Column("unit_path", sa.String(400), nullable=False),
        sa.Column("government_related", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("rule_version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("anchor_date", sa.Date, nullable=False),
        sa.Column("cif", sa.String(32), index=True),
        sa.Column("customer_ref", sa.String(64)),
        sa.Column("assignee", sa.String(64)),
        sa.Column("team", sa.String(32)),
        sa.Column("unit_path", sa.String(400), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2)),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("source_event_id", sa.String(128)),
        sa.Column("outcome", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("rule", "subject", "anchor_date", name="uq_task_rule_subject_anchor"),
    )
    # The agenda query: one assignee's open tasks by due date.
    op.create_index("ix_task_assignee_status_due", "task", ["assignee", "status", "due_date"])
    op.create_index("ix_task_team_due", "task", ["team", "due_date"])
    op.create_index("ix_task_unit_path", "task", ["unit_path"])
    op.create_table(
        "calendar_override",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("business_day", sa.Boolean, nullable=False),
        sa.Column("note", sa.String(200)),
    )


def downgrade() -> None:
    for table in ("calendar_override", "task", "customer_book", "processed_event", "outbox"):
        op.drop_table(table)

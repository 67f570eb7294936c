"""The fact ledger and the outbox / processed-event backbone.

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
        "ledger_event",
        sa.Column("event_id", sa.String(128), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False, index=True),
        sa.Column("business_date", sa.Date, nullable=False, index=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("ledger_event", "processed_event", "outbox"):
        op.drop_table(table)

"""The bank's business-day overrides as the tasks service announces them (calendar.changed).

Revision ID: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "business_day_override",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("business_day", sa.Boolean),
        sa.Column("reason", sa.String(200)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("business_day_override")

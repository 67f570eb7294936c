"""The RM's day: appointments, day plans, the activity other services report, and summaries.

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointment",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("rm", sa.String(64), nullable=False, index=True),
        sa.Column("team", sa.String(32)),
        sa.Column("unit_path", sa.String(400), nullable=False, server_default=""),
        sa.Column("cif", sa.String(32), nullable=False, index=True),
        sa.Column("customer_ref", sa.String(64)),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, index=True),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("booked_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "day_plan",
        sa.Column("rm", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("note", sa.String()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "day_activity",
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("ref", sa.String(128), primary_key=True),
        sa.Column("rm", sa.String(64), index=True),
        sa.Column("day", sa.Date(), nullable=False, index=True),
        sa.Column("cif", sa.String(32)),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_table(
        "rm_summary",
        sa.Column("rm", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("team", sa.String(32)),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    for table in ("rm_summary", "day_activity", "day_plan", "appointment"):
        op.drop_table(table)

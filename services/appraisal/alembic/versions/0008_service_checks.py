"""Service checks on an RM from the customer side: complaints resolved with the RM responsible and
independent call-backs' satisfaction (complaint.resolved, callback.recorded).

Revision ID: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_check",
        sa.Column("event_id", sa.String(128), primary_key=True), sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("username", sa.String(64), nullable=False), sa.Column("day", sa.Integer, nullable=False),
        sa.Column("cif", sa.String(32), nullable=False), sa.Column("satisfaction", sa.Integer))
    op.create_index("ix_service_check_username", "service_check", ["username"])
    op.create_index("ix_service_check_day", "service_check", ["day"])


def downgrade() -> None:
    op.drop_table("service_check")

"""Marketing results the RMs register (登记每日营销业绩), confirmed by core banking or the lead.

Revision ID: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marketing_result",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False, index=True),
        sa.Column("cif", sa.String(32), nullable=False, index=True),
        sa.Column("rm", sa.String(64), nullable=False, index=True),
        sa.Column("team", sa.String(32)),
        sa.Column("unit_path", sa.String(400), nullable=False, server_default=""),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2)),
        sa.Column("count", sa.Integer),
        sa.Column("result_date", sa.Date, nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("confirmed_by", sa.String(10)),
        sa.Column("evidence", sa.String(128), index=True),
        sa.Column("confirmed_on", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("marketing_result")

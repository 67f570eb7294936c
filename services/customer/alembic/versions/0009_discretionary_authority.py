"""通融权限 granted to a member of staff (null: their grade's default, rules.discretionary_authority).

Revision ID: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff", sa.Column("discretionary_authority", sa.Numeric(18, 2)))


def downgrade() -> None:
    op.drop_column("staff", "discretionary_authority")

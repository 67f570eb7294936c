"""Rename the appraisal's audit table: `audit_entry` is the customer service's name too, and the two
models must live side by side in one process (tests, tools).

Revision ID: 0003
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("audit_entry", "appraisal_audit")


def downgrade() -> None:
    op.rename_table("appraisal_audit", "audit_entry")

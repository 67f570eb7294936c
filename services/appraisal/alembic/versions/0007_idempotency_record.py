"""Idempotency-Keys recorded with the write they guard (shared.idempotency).

Revision ID: 0007
"""
from shared.idempotency import create_table, drop_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table()


def downgrade() -> None:
    drop_table()

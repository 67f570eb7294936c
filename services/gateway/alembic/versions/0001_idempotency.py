"""The idempotency store: one row per (caller, Idempotency-Key), shared by every gateway replica.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("owner", sa.String(128), primary_key=True),       # username, or ip: for anonymous calls
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),    # sha256 of method, path and body
        sa.Column("status", sa.Integer),                            # NULL while the first request is in flight
        sa.Column("content_type", sa.String(200)),
        sa.Column("body", sa.LargeBinary),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("idempotency_key")

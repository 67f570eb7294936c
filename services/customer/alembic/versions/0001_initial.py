"""Org units, teams, staff, customers, ownership history, and the outbox / processed-event backbone.

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
        "org_unit",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("parent_code", sa.String(32), sa.ForeignKey("org_unit.code"), nullable=True),
        sa.Column("path", sa.String(400), nullable=False, index=True),
    )
    op.create_table(
        "team",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit_code", sa.String(32), sa.ForeignKey("org_unit.code"), nullable=False),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("unit_code", sa.String(32), sa.ForeignKey("org_unit.code"), nullable=False),
        sa.Column("team_code", sa.String(32), sa.ForeignKey("team.code"), nullable=True),
        sa.Column("grade", sa.String(20), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("cif", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("government_related", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("industry", sa.String(100)),
        sa.Column("birthday", sa.Date),
        sa.Column("phone", sa.String(32)),
        sa.Column("national_id", sa.String(32)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("unit_code", sa.String(32), sa.ForeignKey("org_unit.code"), nullable=False),
        sa.Column("unit_path", sa.String(400), nullable=False, index=True),
        sa.Column("owner", sa.String(64), index=True),
        sa.Column("owner_team", sa.String(32), index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "customer_ownership",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False, index=True),
        sa.Column("role", sa.String(1), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("owner_team", sa.String(32)),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_to", sa.DateTime(timezone=True)),
        sa.Column("reason", sa.String(500)),
        sa.Column("assigned_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("customer_ownership", "customer", "staff", "team", "org_unit", "processed_event", "outbox"):
        op.drop_table(table)

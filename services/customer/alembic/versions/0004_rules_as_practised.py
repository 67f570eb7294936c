"""Rules as the bank practises them (issue 21): interactions logged late wait for approval before they
count; the industry policy as effective-dated data, seeded with the half-year plan's list (domain.md).

Revision ID: 0004
"""
import uuid
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The seed's list (maintain / grow / control-and-exit), from the plan for the second half of 2026; the
# bank's admin adds later plans as new effective-dated rows.
PLAN_FROM = date(2026, 7, 1)
SEED_POLICY = {"telecom": "maintain", "power": "maintain", "transport": "maintain", "petroleum": "maintain",
               "education": "grow", "ports": "grow", "electronics": "grow",
               "steel": "control", "cement": "control", "real_estate": "control", "automobiles": "control"}


def upgrade() -> None:
    with op.batch_alter_table("interaction") as t:
        t.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="counted"))
        t.add_column(sa.Column("decided_by", sa.String(64)))
        t.add_column(sa.Column("decided_at", sa.DateTime(timezone=True)))
        t.add_column(sa.Column("decision_note", sa.String(500)))
    policy = op.create_table(
        "industry_policy",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("industry", sa.String(100), nullable=False, index=True),
        sa.Column("policy", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_to", sa.Date),
        sa.Column("set_by", sa.String(64), nullable=False),
    )
    op.bulk_insert(policy, [{"id": uuid.uuid5(uuid.NAMESPACE_OID, f"industry_policy/{industry}"), "industry": industry,
                             "policy": kind, "effective_from": PLAN_FROM, "effective_to": None, "set_by": "seed"}
                            for industry, kind in SEED_POLICY.items()])


def downgrade() -> None:
    op.drop_table("industry_policy")
    with op.batch_alter_table("interaction") as t:
        t.drop_column("decision_note")
        t.drop_column("decided_at")
        t.drop_column("decided_by")
        t.drop_column("status")

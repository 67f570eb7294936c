"""Rules as the bank practises them (issue 21): a customer's last contact (maintenance plans), the
owner's grade (tier cap), a loan's own government flag and its maturity outcome, a task's due time
(the 24-hour thank-you), a customer's first business and industry policy, and the money of a day that
only came back after an outflow (not new money to follow up).

The maintenance cadence shipped in 0002 (private customers every 6 months, gold monthly) gave the
richest the least contact; the bank's practice is cumulative plans and, by default, a monthly contact
for every band: a new version of the rule says so (an admin's earlier version is superseded, as the
old numbers are refused by the rules API now).

Revision ID: 0006
"""
import sqlalchemy as sa
from alembic import op

from shared.clock import utcnow

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen copy of the defaults at this revision.
MAINTENANCE_VISIT = {"months_gold": 1, "months_platinum": 1, "months_private": 1, "months_one_to_one": 1}


def upgrade() -> None:
    op.add_column("customer_book", sa.Column("last_contact_on", sa.Date(), nullable=True))
    op.add_column("customer_book", sa.Column("b_manager", sa.String(64), nullable=True))
    op.add_column("customer_book", sa.Column("first_business_on", sa.Date(), nullable=True))
    op.add_column("customer_book", sa.Column("industry_policy", sa.String(20), nullable=True))
    op.add_column("staff_book", sa.Column("grade", sa.String(20), nullable=True))
    op.add_column("loan_book", sa.Column("government_related", sa.Boolean(), nullable=True))
    op.add_column("loan_book", sa.Column("maturity_outcome", sa.String(20), nullable=True))
    op.add_column("deposit_day", sa.Column("returned", sa.Numeric(18, 2), nullable=False, server_default="0"))
    op.add_column("task", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    version = bind.execute(sa.text("SELECT coalesce(max(version), 0) FROM task_rule WHERE name = 'maintenance_visit'"))
    rules = sa.table("task_rule", sa.column("name", sa.String), sa.column("version", sa.Integer),
                     sa.column("params", sa.JSON), sa.column("active", sa.Boolean), sa.column("changed_by", sa.String),
                     sa.column("created_at", sa.DateTime(timezone=True)))
    op.bulk_insert(rules, [{"name": "maintenance_visit", "version": (version.scalar() or 0) + 1,
                            "params": MAINTENANCE_VISIT, "active": True, "changed_by": "migration",
                            "created_at": utcnow()}])


def downgrade() -> None:
    op.execute("DELETE FROM task_rule WHERE name = 'maintenance_visit' AND changed_by = 'migration' AND version > 1")
    op.drop_column("task", "due_at")
    op.drop_column("deposit_day", "returned")
    op.drop_column("loan_book", "maturity_outcome")
    op.drop_column("loan_book", "government_related")
    op.drop_column("staff_book", "grade")
    op.drop_column("customer_book", "industry_policy")
    op.drop_column("customer_book", "first_business_on")
    op.drop_column("customer_book", "b_manager")
    op.drop_column("customer_book", "last_contact_on")

"""Fee income (fee.posted), customers' first business (新增客户), the task record behind the on-time rate,
and NPL responsibility cases.

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fee_income",
        sa.Column("fee_key", sa.String(140), primary_key=True), sa.Column("cif", sa.String(32), nullable=False),
        sa.Column("day", sa.Integer, nullable=False), sa.Column("category", sa.String(16), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False))
    op.create_index("ix_fee_income_cif", "fee_income", ["cif"])
    op.create_index("ix_fee_income_day", "fee_income", ["day"])
    op.create_table(
        "first_business",
        sa.Column("cif", sa.String(32), primary_key=True), sa.Column("day", sa.Integer, nullable=False))
    op.create_index("ix_first_business_day", "first_business", ["day"])
    op.create_table(
        "task_record",
        sa.Column("task_id", sa.String(64), primary_key=True), sa.Column("assignee", sa.String(64)),
        sa.Column("due_day", sa.Integer, nullable=False), sa.Column("closed_day", sa.Integer))
    op.create_index("ix_task_record_assignee", "task_record", ["assignee"])
    op.create_index("ix_task_record_due_day", "task_record", ["due_day"])
    op.create_table(
        "npl_case",
        sa.Column("loan_id", sa.String(64), primary_key=True), sa.Column("cif", sa.String(32), nullable=False),
        sa.Column("opened_day", sa.Integer, nullable=False), sa.Column("to_class", sa.String(20), nullable=False),
        sa.Column("originator", sa.String(64)), sa.Column("risk_manager", sa.String(64)),
        sa.Column("status", sa.String(10), nullable=False), sa.Column("reason", sa.String(500)),
        sa.Column("loss_amount", sa.Numeric(18, 2)), sa.Column("decided_by", sa.String(64)))


def downgrade() -> None:
    for table in ("npl_case", "task_record", "first_business", "fee_income"):
        op.drop_table(table)

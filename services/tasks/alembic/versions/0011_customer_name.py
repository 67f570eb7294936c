"""The customer's name in the customer book, so tasks and the agenda say whom they are about; an index
for one customer's tasks (GET /tasks?customer_id=).

Revision ID: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customer_book", sa.Column("name", sa.String(length=200), nullable=True))
    op.create_index("ix_task_customer_ref", "task", ["customer_ref"])


def downgrade() -> None:
    op.drop_index("ix_task_customer_ref", table_name="task")
    op.drop_column("customer_book", "name")

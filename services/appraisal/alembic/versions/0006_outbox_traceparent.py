"""The W3C traceparent of the write that staged each outbox row (null when tracing is off): the relay sends
it as a Kafka header so the consumers continue the same trace.

Revision ID: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as t:
        t.add_column(sa.Column("traceparent", sa.String(55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as t:
        t.drop_column("traceparent")

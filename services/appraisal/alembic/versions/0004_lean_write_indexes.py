"""Drop three indexes that every banking event paid for and no query reads.

ledger_event.subject and ledger_event.business_date: the ledger is read whole, by replay (ordered by
date, time and id, which neither index gives); two index entries per event for nothing.
balance_interval (from_day, to_day): scorecards reach intervals through the customer (cif) and
close scans every interval of the period anyway. With to_day in no index, closing an interval when
a balance moves on a new day can be a HOT update: no index entries for that row version.

Revision ID: 0004
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_ledger_event_subject", table_name="ledger_event")
    op.drop_index("ix_ledger_event_business_date", table_name="ledger_event")
    op.drop_index("ix_balance_interval_days", table_name="balance_interval")


def downgrade() -> None:
    op.create_index("ix_balance_interval_days", "balance_interval", ["from_day", "to_day"])
    op.create_index("ix_ledger_event_business_date", "ledger_event", ["business_date"])
    op.create_index("ix_ledger_event_subject", "ledger_event", ["subject"])

"""The full book of customers: master fields, B岗 and optimistic version, transfer requests and claim
refusals, the append-only audit trail, holdings projection, open-task read model, interactions,
relationships and key contacts.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(18, 2)


def _id():
    return sa.Column("id", sa.Uuid, primary_key=True)


def upgrade() -> None:
    with op.batch_alter_table("customer") as t:
        t.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        t.add_column(sa.Column("credit_code", sa.String(18)))
        t.add_column(sa.Column("address", sa.String(300)))
        t.add_column(sa.Column("risk_preference", sa.String(20)))
        t.add_column(sa.Column("credit_rating", sa.String(10)))
        t.add_column(sa.Column("backup_owner", sa.String(64), index=True))
        t.add_column(sa.Column("backup_team", sa.String(32), index=True))
        t.add_column(sa.Column("prospect_stage", sa.String(20)))
        t.add_column(sa.Column("source_channel", sa.String(30)))
        t.add_column(sa.Column("referred_by", sa.String(32)))
        t.add_column(sa.Column("lost_reason", sa.String(300)))
    op.create_index("ix_customer_phone", "customer", ["phone"])
    op.create_table(
        "transfer_request", _id(),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False, index=True),
        sa.Column("role", sa.String(1), nullable=False),
        sa.Column("to_owner", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.String(500)),
        sa.Column("team", sa.String(32), index=True),
        sa.Column("unit_path", sa.String(400), nullable=False),
    )
    op.create_table(
        "claim_refusal", _id(),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("cif", sa.String(32), nullable=False),
        sa.Column("claimant", sa.String(64), nullable=False),
        sa.Column("claimant_team", sa.String(32), index=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_path", sa.String(400), nullable=False),
    )
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("actor", sa.String(64), nullable=False, index=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("customer_id", sa.Uuid, index=True),
        sa.Column("cif", sa.String(32)),
        sa.Column("unit_path", sa.String(400), nullable=False, index=True),
        sa.Column("request_id", sa.String(100)),
        sa.Column("client", sa.String(100)),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
    )
    # Append-only in the database itself, so not even a bug in our code can rewrite history.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION 'audit_entry is append-only'; END $$")
        op.execute("CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_entry "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON audit_entry "
                       "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END")
    op.create_table(
        "deposit_account",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("cif", sa.String(32), nullable=False, index=True),
        sa.Column("product", sa.String(20), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance", MONEY, nullable=False),
        sa.Column("opened_on", sa.Date),
        sa.Column("maturity_date", sa.Date),
        sa.Column("closed_on", sa.Date),
    )
    op.create_table(
        "loan_holding",
        sa.Column("loan_id", sa.String(64), primary_key=True),
        sa.Column("cif", sa.String(32), nullable=False, index=True),
        sa.Column("product", sa.String(60)),
        sa.Column("principal", MONEY),
        sa.Column("outstanding", MONEY, nullable=False),
        sa.Column("disbursed_on", sa.Date),
        sa.Column("maturity_date", sa.Date),
        sa.Column("next_due_date", sa.Date),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("days_overdue", sa.Integer, nullable=False),
        sa.Column("overdue_principal", MONEY, nullable=False),
        sa.Column("overdue_interest", MONEY, nullable=False),
    )
    op.create_table(
        "balance_day",
        sa.Column("cif", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("balance", MONEY, nullable=False),
    )
    op.create_table(
        "open_task",
        sa.Column("task_id", sa.String(64), primary_key=True),
        sa.Column("cif", sa.String(32), index=True),
        sa.Column("assignee", sa.String(64), index=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
    )
    op.create_table(
        "interaction", _id(),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False, index=True),
        sa.Column("cif", sa.String(32), nullable=False),
        sa.Column("rm", sa.String(64), nullable=False, index=True),
        sa.Column("team", sa.String(32), index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False, index=True),
        sa.Column("notes", sa.String(4000), nullable=False),
        sa.Column("needs", sa.String(2000)),
        sa.Column("next_step", sa.String(2000)),
        sa.Column("co_signed_by", sa.String(100)),
        sa.Column("task_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spot_checked_by", sa.String(64)),
        sa.Column("spot_checked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "relationship", _id(),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("related_cif", sa.String(32), nullable=False),
        sa.Column("note", sa.String(300)),
    )
    op.create_table(
        "key_contact", _id(),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(60), nullable=False),
        sa.Column("phone", sa.String(32)),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    for table in ("key_contact", "relationship", "interaction", "open_task", "balance_day", "loan_holding",
                  "deposit_account", "audit_entry", "claim_refusal", "transfer_request"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
    op.drop_index("ix_customer_phone", "customer")
    with op.batch_alter_table("customer") as t:
        for col in ("lost_reason", "referred_by", "source_channel", "prospect_stage", "backup_team", "backup_owner",
                    "credit_rating", "risk_preference", "address", "credit_code", "version"):
            t.drop_column(col)

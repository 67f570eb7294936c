"""The audit trail of the tasks service's writes (issue 17: every new write audited), append-only.

Revision ID: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_audit",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False, index=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False, index=True),
        sa.Column("unit_path", sa.String(400), nullable=False, server_default=""),
        sa.Column("request_id", sa.String(100)),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    # Append-only in the database itself, so not even a bug in our code can rewrite history.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION task_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION 'task_audit is append-only'; END $$")
        op.execute("CREATE TRIGGER task_audit_no_change BEFORE UPDATE OR DELETE ON task_audit "
                   "FOR EACH ROW EXECUTE FUNCTION task_audit_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER task_audit_no_{verb.lower()} BEFORE {verb} ON task_audit "
                       "BEGIN SELECT RAISE(ABORT, 'task_audit is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER task_audit_no_change ON task_audit")
        op.execute("DROP FUNCTION task_audit_append_only()")
    op.drop_table("task_audit")

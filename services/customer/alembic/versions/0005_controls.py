"""The controls the bank documents demand: credit applications and their approval decisions,
complaints, audit cases, staff qualifications, conduct records,
call-backs.

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", sa.Uuid, primary_key=True)


def _at(name: str, nullable: bool = False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _customer():
    return [sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False, index=True),
            sa.Column("cif", sa.String(32), nullable=False, index=True),
            sa.Column("unit_path", sa.String(400), nullable=False, index=True),
            sa.Column("team", sa.String(32), index=True)]


def upgrade() -> None:
    op.create_table(
        "credit_application", _id(), *_customer(),
        sa.Column("rm", sa.String(64), nullable=False, index=True),
        sa.Column("product", sa.String(60), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("purpose", sa.String(500), nullable=False),
        sa.Column("investigators", sa.JSON, nullable=False),
        sa.Column("documents", sa.JSON, nullable=False),
        _at("commitment_signed_at", True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("ready_on", sa.Date), sa.Column("due_on", sa.Date),
        sa.Column("rm_signed_by", sa.String(64)), sa.Column("risk_signed_by", sa.String(64)),
        sa.Column("submitted_on", sa.Date),
        sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("escalated_to", sa.String(64)),
        sa.Column("loan_id", sa.String(64)),
        _at("created_at"),
    )
    op.create_table(
        "credit_review", _id(),
        sa.Column("application_id", sa.Uuid, sa.ForeignKey("credit_application.id"), nullable=False, index=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("reviewer", sa.String(64), nullable=False),
        _at("at"),
        sa.UniqueConstraint("application_id", "level"),
    )
    op.create_table(
        "complaint", _id(), *_customer(),
        sa.Column("rm", sa.String(64)),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("text", sa.String(4000), nullable=False),
        sa.Column("about", sa.String(64), index=True),
        sa.Column("handler", sa.String(64), index=True),
        sa.Column("filed_by", sa.String(64), nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("escalated_to", sa.String(64)),
        sa.Column("responsible", sa.String(20)),
        sa.Column("responsible_staff", sa.String(64)),
        sa.Column("finding", sa.String(2000)),
        sa.Column("feedback", sa.String(2000)),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_on", sa.Date),
        _at("created_at"),
    )
    op.create_table(
        "audit_case", _id(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("rm", sa.String(64), nullable=False, index=True),
        sa.Column("unit_path", sa.String(400), nullable=False, index=True),
        sa.Column("period_from", sa.Date, nullable=False),
        sa.Column("period_to", sa.Date, nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        _at("opened_at"),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("conclusion", sa.String(2000)),
        sa.Column("signed_off_by", sa.String(64)),
        _at("signed_off_at", True),
    )
    op.create_table(
        "staff_qualification", _id(),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("exam", sa.String(100), nullable=False),
        sa.Column("passed_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        _at("recorded_at"),
    )
    op.create_table(
        "conduct_record", _id(),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("staff", sa.String(64), nullable=False, index=True),
        sa.Column("team", sa.String(32), index=True),
        sa.Column("unit_path", sa.String(400), nullable=False, index=True),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id")),
        sa.Column("cif", sa.String(32)),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("amount", sa.Numeric(18, 2)),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(64)),
        _at("decided_at", True),
        _at("created_at"),
    )
    # one commitment letter per person and year, signed once (承诺书 are kept immutable and dated)
    op.create_index("uq_conduct_commitment_year", "conduct_record", ["staff", "kind", "occurred_on"], unique=True,
                    postgresql_where=sa.text("kind = 'commitment'"), sqlite_where=sa.text("kind = 'commitment'"))
    op.create_table(
        "callback", _id(),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customer.id"), nullable=False, index=True),
        sa.Column("cif", sa.String(32), nullable=False),
        sa.Column("unit_path", sa.String(400), nullable=False, index=True),
        sa.Column("team", sa.String(32), index=True),
        sa.Column("rm", sa.String(64), index=True),
        sa.Column("assignee", sa.String(64), index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("caller", sa.String(64)),
        sa.Column("reached", sa.Boolean),
        sa.Column("satisfaction", sa.Integer),
        sa.Column("issues", sa.String(2000)),
        sa.Column("complaint_id", sa.Uuid),
        _at("created_at"),
        _at("recorded_at", True),
    )
    # a customer is drawn at most once a month (a re-run of the draw adds nobody)
    op.create_index("uq_callback_drawn", "callback", ["month", "customer_id"], unique=True,
                    postgresql_where=sa.text("assignee IS NOT NULL"), sqlite_where=sa.text("assignee IS NOT NULL"))


def downgrade() -> None:
    for table in ("callback", "conduct_record", "staff_qualification", "audit_case", "complaint", "credit_review", "credit_application"):
        op.drop_table(table)

"""Rules as data, the loan/deposit/staff projections the rules need, the scheduler's bookmark, lifecycle
and escalation columns on tasks, and the 2025–2027 business calendar as rows.

Revision ID: 0002
"""
from datetime import date, timedelta

import holidays
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copy of the domain defaults at the time of this revision (later changes add rule versions).
RULES = {
    "loan_due": {"lead_days": 30, "lead_days_government": 60},
    "loan_overdue": {"copy_risk_manager": 1},
    "loan_downgraded": {"business_days": 3},
    "post_loan_inspection": {"first_within_days": 15, "repeat_months_corporate": 3},
    "large_outflow": {"amount": 500000, "share_of_balance_pct": 30, "business_days": 1},
    "inflow_follow_up": {"amount": 500000, "business_days": 1},
    "time_deposit_maturity": {"lead_days": 7},
    "tier_review": {"business_days": 5},
    "contact_remarketing": {"business_days": 10},
    "maintenance_visit": {"months_gold": 1, "months_platinum": 3, "months_private": 6},
    "credit_rating_review": {"month": 3, "day": 31},
    "monthly_report": {"day": 5},
    "birthday": {"lead_days": 3},
}
CALENDAR_YEARS = range(2025, 2028)


def calendar_rows() -> list[dict]:
    """Every day of the shipped years that is not an ordinary weekday/weekend: public holidays on
    weekdays (closed) and 调休 weekend days (worked), as China's State Council published them."""
    china = holidays.China(years=CALENDAR_YEARS)
    rows, day = [], date(CALENDAR_YEARS[0], 1, 1)
    while day.year in CALENDAR_YEARS:
        weekend = day.weekday() >= 5
        working = china.is_working_day(day)
        if weekend and working:
            rows.append({"day": day, "business_day": True, "note": "调休 working day"})
        elif not weekend and not working:
            rows.append({"day": day, "business_day": False, "note": china.get(day) or "holiday"})
        day += timedelta(days=1)
    return rows


def upgrade() -> None:
    with op.batch_alter_table("customer_book") as t:
        t.add_column(sa.Column("kind", sa.String(20)))
        t.add_column(sa.Column("tier", sa.String(20), nullable=False, server_default="standard"))
        t.add_column(sa.Column("birthday", sa.Date))
    with op.batch_alter_table("task") as t:
        t.add_column(sa.Column("cancel_reason", sa.String(200)))
        t.add_column(sa.Column("copied_to", sa.String(64)))
        t.add_column(sa.Column("escalated_to", sa.String(64)))
        t.add_column(sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"))
        t.add_column(sa.Column("tier_rank", sa.Integer, nullable=False, server_default="9"))
        t.add_column(sa.Column("risk_rank", sa.Integer, nullable=False, server_default="9"))
    op.create_index("ix_task_copied_to", "task", ["copied_to"])
    op.create_index("ix_task_escalated_to", "task", ["escalated_to"])
    op.create_index("ix_task_status_due", "task", ["status", "due_date"])   # the escalation sweep
    op.create_table(
        "loan_book",
        sa.Column("loan_id", sa.String(64), primary_key=True),
        sa.Column("cif", sa.String(32), nullable=False, index=True),
        sa.Column("principal", sa.Numeric(18, 2), nullable=False),
        sa.Column("outstanding", sa.Numeric(18, 2), nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("disbursed_on", sa.Date),
        sa.Column("maturity_date", sa.Date),
    )
    op.create_table(
        "deposit_day",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("cif", sa.String(32), nullable=False),
        sa.Column("opening_balance", sa.Numeric(18, 2), nullable=False),
        sa.Column("outflow", sa.Numeric(18, 2), nullable=False),
        sa.Column("inflow", sa.Numeric(18, 2), nullable=False),
    )
    op.create_table(
        "staff_book",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("unit_path", sa.String(400), nullable=False),
        sa.Column("team", sa.String(32)),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    rules = op.create_table(
        "task_rule",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("changed_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "scheduler_bookmark",
        sa.Column("job", sa.String(64), primary_key=True),
        sa.Column("last_day", sa.Date, nullable=False),
    )
    from shared.clock import utcnow
    op.bulk_insert(rules, [{"name": n, "version": 1, "params": p, "active": True, "changed_by": "migration",
                            "created_at": utcnow()} for n, p in RULES.items()])
    calendar = sa.table("calendar_override", sa.column("day", sa.Date), sa.column("business_day", sa.Boolean),
                        sa.column("note", sa.String))
    op.bulk_insert(calendar, calendar_rows())


def downgrade() -> None:
    for table in ("scheduler_bookmark", "task_rule", "staff_book", "deposit_day", "loan_book"):
        op.drop_table(table)
    op.execute(sa.text("DELETE FROM calendar_override"))
    for name in ("ix_task_status_due", "ix_task_escalated_to", "ix_task_copied_to"):
        op.drop_index(name, "task")
    with op.batch_alter_table("task") as t:
        for col in ("risk_rank", "tier_rank", "escalation_level", "escalated_to", "copied_to", "cancel_reason"):
            t.drop_column(col)
    with op.batch_alter_table("customer_book") as t:
        for col in ("birthday", "tier", "kind"):
            t.drop_column(col)

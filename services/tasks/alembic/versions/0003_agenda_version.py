"""A version number per person whose agenda a task row touches, bumped by triggers on `task`.

The agenda endpoint serves a cached page while the version is unchanged. Triggers (not application
code) bump it because tasks are written from many places — rules, schedules, escalation, transfers,
the API — and a missed bump would show a stale list.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PEOPLE = ("assignee", "escalated_to", "copied_to")

POSTGRES = """
CREATE FUNCTION bump_agenda_version() RETURNS trigger AS $$
BEGIN
  INSERT INTO agenda_version (username, version)
  SELECT DISTINCT u, 1 FROM unnest(CASE TG_OP
      WHEN 'INSERT' THEN ARRAY[NEW.assignee, NEW.escalated_to, NEW.copied_to]
      WHEN 'DELETE' THEN ARRAY[OLD.assignee, OLD.escalated_to, OLD.copied_to]
      ELSE ARRAY[OLD.assignee, OLD.escalated_to, OLD.copied_to, NEW.assignee, NEW.escalated_to, NEW.copied_to]
    END) AS u
  WHERE u IS NOT NULL
  ON CONFLICT (username) DO UPDATE SET version = agenda_version.version + 1;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER task_bumps_agenda AFTER INSERT OR UPDATE OR DELETE ON task
  FOR EACH ROW EXECUTE FUNCTION bump_agenda_version();
"""


def _sqlite_trigger(event: str, rows: tuple[str, ...]) -> str:
    people = " UNION ".join(f"SELECT {row}.{col} AS u" for row in rows for col in PEOPLE)
    return (f"CREATE TRIGGER task_bumps_agenda_{event.lower()} AFTER {event} ON task BEGIN "
            f"INSERT INTO agenda_version (username, version) SELECT u, 1 FROM ({people}) WHERE u IS NOT NULL "
            f"ON CONFLICT (username) DO UPDATE SET version = version + 1; END")


def upgrade() -> None:
    op.create_table("agenda_version",
                    sa.Column("username", sa.String(64), primary_key=True),
                    sa.Column("version", sa.BigInteger, nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES)          # asyncpg runs one statement per call
        op.execute(POSTGRES_TRIGGER)
    else:
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            op.execute(_sqlite_trigger(event, rows))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER task_bumps_agenda ON task")
        op.execute("DROP FUNCTION bump_agenda_version()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER task_bumps_agenda_{event}")
    op.drop_table("agenda_version")

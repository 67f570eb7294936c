"""Agenda versions bumped once per statement instead of once per task row (PostgreSQL).

A run of banking events inserts its new tasks in one statement; the row trigger of 0003 then ran an
upsert of agenda_version per task, each making a new version of the same few rows, and that cost
more than the insert itself (a fifth of a deposit stream raises tasks). The statement triggers read
the rows written from transition tables and bump each person once per row that names them, so the
versions reach the same numbers; people are bumped in name order, one lock order for all writers.
SQLite keeps the row triggers of 0003 (it has no statement triggers).

Revision ID: 0005
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION bump_agenda_versions_{name}() RETURNS trigger AS $$
BEGIN
  INSERT INTO agenda_version (username, version)
  SELECT u, count(DISTINCT id) FROM (
      SELECT id, unnest(ARRAY[assignee, escalated_to, copied_to]) AS u
      FROM ({rows}) AS touched) AS named
  WHERE u IS NOT NULL
  GROUP BY u ORDER BY u
  ON CONFLICT (username) DO UPDATE SET version = agenda_version.version + EXCLUDED.version;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
# A transition table is visible only to its own trigger, so each event has a function naming the
# tables it has.
ROWS = {"INSERT": "SELECT * FROM new_rows",
        "UPDATE": "SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows",
        "DELETE": "SELECT * FROM old_rows"}
TABLES = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
          "DELETE": "OLD TABLE AS old_rows"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER task_bumps_agenda ON task")   # bump_agenda_version() stays for downgrade
    for event, rows in ROWS.items():
        name = event.lower()
        op.execute(FUNCTION.format(name=name, rows=rows))
        op.execute(f"CREATE TRIGGER task_bumps_agenda_{name} AFTER {event} ON task "
                   f"REFERENCING {TABLES[event]} FOR EACH STATEMENT EXECUTE FUNCTION bump_agenda_versions_{name}()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in ROWS:
        op.execute(f"DROP TRIGGER task_bumps_agenda_{event.lower()} ON task")
        op.execute(f"DROP FUNCTION bump_agenda_versions_{event.lower()}()")
    op.execute("CREATE TRIGGER task_bumps_agenda AFTER INSERT OR UPDATE OR DELETE ON task "
               "FOR EACH ROW EXECUTE FUNCTION bump_agenda_version()")

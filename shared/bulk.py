"""Multi-row insert, insert-or-skip and upsert for the set-based handlers of every service: one
statement per run, any size.

On PostgreSQL the rows travel as one array per column through unnest(), so the SQL text never changes
with the row count: it is built once per shape and asyncpg prepares it once. A multi-row VALUES list
instead costs SQLAlchemy a fresh compile of every bind on every run, which for a large poll outweighs
the database's own work. SQLite (the embedded default, small volumes) gets the same
statement as an executemany, compiled once too.
"""
import json
from functools import cache

from sqlalchemy import DateTime, Numeric, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import JSON
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import insert

_PG = postgresql.dialect()


class JsonText(str):
    """A JSON column's value serialised already (pydantic's model_dump_json does it in Rust, cheaper
    than a dict and json.dumps): put_rows sends it as it is."""


def row_of(instance, table) -> dict:
    """A model instance's columns as a row for put_rows: set-based handlers take a constructor's
    defaults once this way and copy them, instead of building a model per new row."""
    return {c.name: getattr(instance, c.name) for c in table.columns}


def _array_type(column) -> str:
    if isinstance(column.type, DateTime):
        return "timestamptz"   # every timestamp column is WITH TIME ZONE in the migrations
    if isinstance(column.type, JSON):
        return "json"
    return column.type.compile(dialect=_PG)


def _cast(table, c: str, array: str = "[]") -> str:
    if isinstance(table.c[c].type, Numeric):   # sent as text: asyncpg's binary numeric costs 3x a value
        return f"CAST(CAST(:{c} AS text{array}) AS {_array_type(table.c[c])}{array})"
    return f"CAST(:{c} AS {_array_type(table.c[c])}{array})"


def _encode(column, value):
    if isinstance(column.type, JSON):   # asyncpg takes json as text
        return value if isinstance(value, JsonText) else json.dumps(value)
    if isinstance(column.type, Numeric) and value is not None:
        return str(value)
    return value


@cache
def _unnest_sql(table, columns: tuple[str, ...], conflict: tuple[str, ...], update: tuple[str, ...],
                add: tuple[str, ...], plain: bool, returning: str | None, once: tuple[str, ...]) -> str:
    """`once`: columns sent as one value for every row (the row count comes from the arrays)."""
    arrays = [c for c in columns if c not in once]
    select = ", ".join(["u.*"] + [_cast(table, c, "") for c in once])
    sets = [f"{c} = EXCLUDED.{c}" for c in update] + [f"{c} = {table.name}.{c} + EXCLUDED.{c}" for c in add]
    if sets:
        action = f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {', '.join(sets)}"
    else:
        action = "" if plain else " ON CONFLICT DO NOTHING"
    back = f" RETURNING {returning}" if returning else ""
    return (f"INSERT INTO {table.name} ({', '.join(arrays + list(once))}) SELECT {select} "
            f"FROM unnest({', '.join(_cast(table, c) for c in arrays)}) AS u{action}{back}")


async def put_rows(session: AsyncSession, model, rows: list[dict], conflict: tuple[str, ...] = (),
                   update: tuple[str, ...] = (), add: tuple[str, ...] = (), skip_existing: bool = True,
                   returning: str | None = None) -> list:
    """Insert `rows` (dicts with the same keys) into `model` (a table model or a Table); on a key already
    stored skip the row, or when `update` / `add` are given set those columns to the new value / add the
    new value to the stored one; with skip_existing=False (and no update) a stored key is an error, as
    for rows that must be new. Rows must be unique on the conflict key (PostgreSQL refuses to update
    one row twice in a statement). With `returning`, that column of every row written (a skipped row
    is not) comes back; else an empty list."""
    if not rows:
        return []
    table, columns = getattr(model, "__table__", model), tuple(rows[0])
    plain = not (skip_existing or update or add)
    if session.get_bind().dialect.name == "postgresql":
        values = {c: [row[c] for row in rows] for c in columns}
        # A column holding one object in every row (a consumer's name, a batch's clock, a None) goes as
        # one parameter, not an array of copies; the first column always goes as an array.
        once = tuple(c for c in columns[1:] if all(v is values[c][0] for v in values[c]))
        params = {}
        for c in columns:
            column = table.c[c]
            if c in once:
                params[c] = _encode(column, values[c][0])
            elif isinstance(column.type, (JSON, Numeric)):
                params[c] = [_encode(column, v) for v in values[c]]
            else:
                params[c] = values[c]
        result = await session.execute(text(_unnest_sql(table, columns, conflict, update, add, plain, returning,
                                                        once)), params)
    else:
        texts = [c for c in columns if isinstance(table.c[c].type, JSON) and isinstance(rows[0][c], JsonText)]
        if texts:  # SQLAlchemy's JSON type serialises what it is given: give it the value back
            rows = [{**row, **{c: json.loads(row[c]) for c in texts}} for row in rows]
        stmt = insert(session, table)   # Core, not ORM bulk: plain executemany
        sets = {**{c: stmt.excluded[c] for c in update}, **{c: table.c[c] + stmt.excluded[c] for c in add}}
        if sets:
            stmt = stmt.on_conflict_do_update(index_elements=list(conflict), set_=sets)
        elif not plain:
            stmt = stmt.on_conflict_do_nothing()
        result = await session.execute(stmt.returning(table.c[returning]) if returning else stmt, rows)
    return list(result.scalars()) if returning else []

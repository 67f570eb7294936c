"""One list convention for the customer service: a list answers `{items, next_cursor}` (and `total`
where a screen counts, e.g. "共 N 户"); `limit` bounds a page and `cursor` — the `next_cursor` of the
page before — continues after its last row. Keyset paging over the list's own order (each key ascending
or descending, the last key unique), so rows added while a person scrolls neither repeat nor vanish."""
import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import and_, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import select

from shared.errors import Problem
from shared.text_guard import bad_text

MAX_PAGE = 200
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="rows per page")]
Cursor = Annotated[str | None, Query(max_length=1000, description="the next_cursor of the page before")]
Key = tuple[Any, bool]   # (column, descending)


# a cursor is the last row's key values, each tagged with its type so it comes back as the column's type
_TAGS: list[tuple[str, type, Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("t", datetime, datetime.isoformat, datetime.fromisoformat),   # before date: a datetime is a date
    ("d", date, date.isoformat, date.fromisoformat),
    ("u", uuid.UUID, str, uuid.UUID),
    ("n", Decimal, str, Decimal),
    ("i", int, int, int),
    ("s", str, str, str),
]


def encode(values: Sequence[Any]) -> str:
    tagged = []
    for value in values:
        tag, _, dump, _ = next(t for t in _TAGS if isinstance(value, t[1]))
        tagged.append([tag, dump(value)])
    return base64.urlsafe_b64encode(json.dumps(tagged, separators=(",", ":")).encode()).decode()


def decode(cursor: str, keys: int) -> list[Any]:
    """The key values a cursor we gave out carries; anything else is a 422 naming `cursor`."""
    parsers = {tag: load for tag, _, _, load in _TAGS}
    try:
        tagged = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        values = [parsers[tag](raw) for tag, raw in tagged]
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, ArithmeticError):
        values = []
    if len(values) != keys or any(isinstance(v, str) and bad_text(v) for v in values):
        raise Problem(422, "validation", field="cursor")
    return values


def after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that come after `values` in the order of `keys` (a row-value comparison, per direction)."""
    clauses = []
    for i, ((column, descending), value) in enumerate(zip(keys, values, strict=True)):
        same = [c == v for (c, _), v in zip(keys[:i], values[:i], strict=True)]
        clauses.append(and_(*same, column < value if descending else column > value))
    return or_(*clauses)


async def page(session, stmt, keys: Sequence[Key], limit: int, cursor: str | None,
               key_of: Callable[[Any], Sequence[Any]] | None = None) -> tuple[list, str | None]:
    """One page of `stmt` (not yet ordered) in the order of `keys`, and the cursor of the next one."""
    stmt = stmt.order_by(*(c.desc() if d else c for c, d in keys)).limit(limit + 1)
    if cursor:
        stmt = stmt.where(after(keys, decode(cursor, len(keys))))
    rows = list((await session.exec(stmt)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if not more:
        return rows, None
    last = key_of(rows[-1]) if key_of else [getattr(rows[-1], c.key) for c, _ in keys]
    return rows, encode(last)


async def total(session, stmt) -> int:
    """How many rows `stmt` (filtered, not paged) finds: the "共 N 户" a screen shows."""
    return (await session.exec(select(func.count()).select_from(stmt.order_by(None).subquery()))).one()

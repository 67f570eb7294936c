"""Async engine and sessions for PostgreSQL (production, tests) and SQLite (embedded default)."""
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Table, any_, bindparam, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def async_url(url: str) -> str:
    """Accept the URLs ops write (postgresql://, sqlite:///) and pick the async driver."""
    for plain, driver in (("postgresql://", "postgresql+asyncpg://"), ("postgres://", "postgresql+asyncpg://"),
                          ("sqlite:///", "sqlite+aiosqlite:///")):
        if url.startswith(plain):
            return driver + url[len(plain):]
    return url


def is_sqlite(url: str) -> bool:
    return async_url(url).startswith("sqlite")


def make_engine(url: str, pool_size: int = 10, custom_plans: bool = False) -> AsyncEngine:
    """Errors never carry the bound values (hide_parameters): they end up in logs, and values are PII.
    `custom_plans` for batch work (consumers): PostgreSQL then plans every execution with its values.
    asyncpg prepares and caches statements, and after five runs PostgreSQL may switch to a generic plan
    that cannot see an IN list of a thousand loan ids and picks a scan that compares each row with all
    of them; planning a batch statement costs far less than such a scan."""
    url = async_url(url)
    if not is_sqlite(url):
        connect_args = {"server_settings": {"plan_cache_mode": "force_custom_plan"}} if custom_plans else {}
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                                   connect_args=connect_args, hide_parameters=True)
    path = url.split(":///", 1)[1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_conn, _record):  # the HTTP app and the consumer share one file
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def one_of(session: AsyncSession, column, values):
    """`column IN values` for the set-based handlers' lookups of up to a few thousand keys. On
    PostgreSQL the keys travel as one array parameter (= ANY): SQLAlchemy renders an IN list bind by
    bind, with a cast each: a cost per key on every lookup, which one array parameter does not have."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def plain_rows(result) -> Iterator[dict]:
    """A result's rows as plain dicts, for the set-based handlers that read thousands: a RowMapping per
    row costs more than a zip with the column names."""
    keys = list(result.keys())
    return (dict(zip(keys, row, strict=True)) for row in result)


def insert(session: AsyncSession, table):
    """An INSERT that supports ON CONFLICT on both dialects (atomic insert-or-skip / upsert)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, for set-based statements (SQLModel sets `__table__` without declaring it)."""
    return model.__table__  # type: ignore[attr-defined]

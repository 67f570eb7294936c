"""Databases for a stack started outside the tests (benchmarks): one per service on the PostgreSQL at
PG_URL when it answers, as in production, else SQLite files."""
import os
from pathlib import Path

from tools.devstack import SERVICES, postgres_database_url


def database_urls(var: Path, prefix: str) -> tuple[dict[str, str], str]:
    """(service -> URL, "postgresql" or "sqlite"); PostgreSQL databases are named <prefix>_<service>
    and made anew."""
    server = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        urls = {s: postgres_database_url(server, f"{prefix}_{s}", recreate=True) for s in SERVICES}
        return {s: u.replace("postgresql://", "postgresql+asyncpg://") for s, u in urls.items()}, "postgresql"
    except OSError:
        return {s: f"sqlite+aiosqlite:///{var}/{s}.db" for s in SERVICES}, "sqlite"

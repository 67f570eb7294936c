"""Alembic plumbing shared by every service's history: the async env and the backbone tables."""
import asyncio

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config

from shared.db import make_engine

MIGRATION_LOCK_ID = 0x0B0C_0002   # beside the outbox relay's 0x0B0C_0001; advisory locks are per database


def upgrade_to_head(script_location: str, database_url: str) -> None:
    """Run a service's migrations (what `python -m services.X.migrate` and the tests call)."""
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.attributes["database_url"] = database_url
    command.upgrade(cfg, "head")


def run_env() -> None:
    """The body of every service's alembic/env.py: migrations run online over the async driver."""
    url = context.config.attributes.get("database_url") or context.config.get_main_option("sqlalchemy.url")

    def migrate(connection):
        context.configure(connection=connection, target_metadata=None, render_as_batch=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Migration Jobs may run twice at once (a re-applied release beside a slow one): the second
                # waits here until the first commits, then finds the schema at head and does nothing.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_ID})
            context.run_migrations()

    async def main():
        engine = make_engine(url)
        async with engine.connect() as conn:
            await conn.run_sync(migrate)
            await conn.commit()
        await engine.dispose()

    asyncio.run(main())


def create_backbone_tables() -> None:
    """Outbox and processed-event tables: every service's first migration creates them."""
    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    # The relay only ever looks for unpublished rows; keep that lookup small as the table grows.
    op.create_index("ix_outbox_unpublished", "outbox", ["seq"], postgresql_where=sa.text("published_at IS NULL"),
                    sqlite_where=sa.text("published_at IS NULL"))
    op.create_table(
        "processed_event",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(128), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )

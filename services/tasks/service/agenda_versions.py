"""Agenda versions read in batches: one round trip answers every agenda request waiting at that moment.

A cached agenda page may be served only if no change to the person's tasks committed before the request
arrived — from any process (the consumer, the scheduler, this API). So each request needs the version
as of *after* its arrival; it cannot share a read that was already in flight. Requests that arrive while
a read is running wait for the next one, which starts as soon as the running one ends and answers them
all: at 32 concurrent requests that is a few reads per round trip instead of one session (pool ping,
BEGIN, SELECT, ROLLBACK) per request. PostgreSQL only, on a connection of its own; None when it is not
available (SQLite, connection lost), and the caller then reads the version in its own session.
"""
import asyncio
import logging
import time

import asyncpg
from sqlalchemy.engine import make_url

from shared.db import async_url, is_sqlite

log = logging.getLogger("tasks.agenda")
QUERY = "SELECT username, version FROM agenda_version WHERE username = ANY($1::varchar[])"
RETRY_AFTER_S = 1.0


def plain_dsn(url: str) -> str:
    return make_url(async_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


class AgendaVersions:
    def __init__(self, database_url: str):
        self.dsn = None if is_sqlite(database_url) else plain_dsn(database_url)
        self.conn: asyncpg.Connection | None = None
        self.failed_at = float("-inf")
        self.waiting: dict[str, list[asyncio.Future]] = {}
        self.reader: asyncio.Task | None = None
        self.reads = 0   # round trips made: how much batching saved

    async def current(self, username: str) -> int | None:
        """The person's version as committed when this was called (0: never bumped); None: ask the DB yourself."""
        if self.dsn is None or time.monotonic() - self.failed_at < RETRY_AFTER_S:
            return None
        answer = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(username, []).append(answer)
        if self.reader is None:
            self.reader = asyncio.create_task(self._read_while_waited_for())
        try:
            return await answer
        except Exception as err:  # noqa: BLE001 - the caller has a slower way
            log.debug("agenda version read failed (%s); reading in the request's session", err)
            return None

    async def _read_while_waited_for(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, {}
                self.reads += 1
                try:
                    if self.conn is None or self.conn.is_closed():
                        self.conn = await asyncpg.connect(self.dsn, timeout=5)
                    versions = dict(await self.conn.fetch(QUERY, list(batch), timeout=5))
                except Exception as err:  # noqa: BLE001 - each waiter falls back to its own session
                    self.failed_at = time.monotonic()
                    self._discard()
                    _answer(batch, error=err)
                    continue
                except BaseException:
                    _answer(batch, error=OSError("agenda version reader stopped"))   # cancelled: shutdown
                    raise
                _answer(batch, versions=versions)
        finally:
            self.reader = None
            _answer(self.waiting, error=OSError("agenda version reader stopped"))
            self.waiting = {}

    def _discard(self) -> None:
        if self.conn is not None:
            self.conn.terminate()
        self.conn = None

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)
        if self.conn is not None and not self.conn.is_closed():
            await self.conn.close()
        self.conn = None


def _answer(batch: dict[str, list[asyncio.Future]], versions: dict | None = None, error: Exception | None = None):
    for username, answers in batch.items():
        for a in answers:
            if a.done():
                continue   # the request went away
            if error is not None:
                a.set_exception(error)
            elif versions is not None:
                a.set_result(versions.get(username, 0))
            else:
                a.set_exception(TypeError("answered with neither versions nor an error"))

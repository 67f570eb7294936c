"""Agenda versions are read for many waiting requests at once, never from a read that began before the
request arrived, and a reader that cannot reach the database hands the request back to its own session."""
import asyncio

import pytest
from sqlalchemy import text

from services.tasks.service.agenda_versions import AgendaVersions
from shared.db import is_sqlite


@pytest.fixture
async def versions(tasks_url):
    if is_sqlite(tasks_url):
        pytest.skip("the batched reader is PostgreSQL only; SQLite reads in the request's session")
    reader = AgendaVersions(tasks_url)
    yield reader
    await reader.close()


async def bump(db, username: str) -> None:
    async with db() as s:
        await s.execute(text("INSERT INTO agenda_version (username, version) VALUES (:u, 1) ON CONFLICT (username) "
                             "DO UPDATE SET version = agenda_version.version + 1"), {"u": username})
        await s.commit()


async def test_concurrent_requests_share_a_read_and_a_later_commit_is_seen_at_once(versions, tasks_db):
    await bump(tasks_db, "batch01")
    assert await versions.current("batch01") >= 1   # connects
    before = versions.reads
    answers = await asyncio.gather(*(versions.current(u) for u in ["batch01", "batch02"] * 16))
    assert set(answers[0::2]) == {answers[0]} and set(answers[1::2]) == {0}   # never bumped: version 0
    assert versions.reads - before <= 2   # one read for the first arrival, one for everyone who came while it ran

    await bump(tasks_db, "batch01")   # another process's commit, before the next request arrives
    assert await versions.current("batch01") == answers[0] + 1


async def test_a_lost_connection_is_replaced_and_an_unreachable_database_means_ask_yourself(versions, tasks_db):
    await bump(tasks_db, "batch03")
    first = await versions.current("batch03")
    versions.conn.terminate()          # e.g. PostgreSQL restarted
    assert await versions.current("batch03") == first

    nowhere = AgendaVersions("postgresql://postgres@127.0.0.1:1/none")
    assert await nowhere.current("batch03") is None   # the route then reads the version in its own session
    await nowhere.close()

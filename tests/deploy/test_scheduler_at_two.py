"""The scheduler runs as one replica, and a second one (an overlapping rollout, an operator's manual
`--once` run) must do no harm. Days are safe by the tasks' unique key; escalation must be too: two
schedulers escalating the same late tasks at the same moment announce each step once."""
import asyncio
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.tasks.cli.scheduler import run_schedules
from services.tasks.service.escalation import escalate_overdue
from shared.outbox import OutboxMessage
from tests.support import wait_for
from tests.tasks.test_schedules import bank, scheduled  # noqa: F401 - the fixture is used by name

TODAY = date(2027, 1, 8)   # December's visits fall due on 31 Dec: late by now


async def _escalations(sessions) -> Counter:
    async with sessions() as s:
        rows = (await s.exec(select(OutboxMessage).where(OutboxMessage.event_type == "task.escalated"))).all()
    return Counter((r.payload["data"]["task_id"], r.payload["data"]["level"]) for r in rows)


async def test_a_second_scheduler_escalating_beside_the_first_announces_nothing_twice(bank, pg_server):  # noqa: F811
    if not pg_server:
        pytest.skip("needs PostgreSQL: on SQLite one writer excludes the other anyway")
    for tier in ("gold", "platinum"):
        await bank.customer(tier=tier)
    await run_schedules(bank.sessions, date(2026, 12, 31))     # the visits exist, none late yet
    now = datetime.now(timezone.utc)
    async with bank.sessions() as first, bank.sessions() as second:
        assert await escalate_overdue(first, TODAY, now) > 0
        await first.flush()                                    # first holds its escalations, uncommitted
        pid = (await second.execute(text("SELECT pg_backend_pid()"))).scalar()

        async def second_escalates():
            raised = await escalate_overdue(second, TODAY, now)
            await second.commit()
            return raised

        running = asyncio.create_task(second_escalates())

        async def second_waits_or_read_past_the_first():
            if running.done():
                return True
            async with bank.sessions() as probe:
                state = (await probe.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :p"),
                                             {"p": pid})).scalar()
            return state == "Lock"

        await wait_for(second_waits_or_read_past_the_first, what="the second scheduler to read the late tasks")
        await first.commit()
        await running
    published = await _escalations(bank.sessions)
    assert published and max(published.values()) == 1, f"escalations announced twice: {published}"


async def test_two_schedulers_catching_up_together_create_each_task_once(bank, pg_server):  # noqa: F811
    if not pg_server:
        pytest.skip("needs PostgreSQL: on SQLite the two would serialise on the file anyway")
    for tier in ("gold", "gold", "platinum"):
        await bank.customer(tier=tier, birthday="1990-12-04")
    await run_schedules(bank.sessions, date(2026, 11, 27))     # the bookmark before an outage
    await asyncio.gather(*(run_schedules(bank.sessions, TODAY) for _ in range(2)))
    keys = [(t.rule, t.subject, t.anchor_date) for t in await scheduled(bank.sessions)]
    assert len(keys) == len(set(keys)) and len(keys) >= 6

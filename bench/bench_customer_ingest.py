"""`python -m bench.bench_customer_ingest`: the customer consumer's own ingest rate on its one (set-based)
path, against the figure recorded by the previous run.

The simulator's stream (every fifth CIF a registered customer, a third of those corporate, so tiers
are judged and announced) is split by topic as the broker hands it over, cut into polls of
kafka_max_poll_records, and applied through EventConsumer.apply_batch to a fresh, migrated customer
database (BENCH_CUSTOMERS / BENCH_EVENTS, bench_ingest's stream). Messages are parsed up front; the
parse cost is reported on its own, so handler time plus parse time is the consumer's time per event.
No broker: this measures the consumer's share, not the pipeline (that is bench_ingest).

The previous run's row for the same stream (bench/results/customer_ingest.json) is kept beside the
new one, with the change in events/s: one machine shared with whatever else runs, so a difference of a
few per cent is noise unless it repeats.
"""
import asyncio
import json
import os
import time
import uuid
from itertools import zip_longest
from pathlib import Path

import asyncpg

from services.customer.cli.seed import seed_demo
from services.customer.config import Settings
from services.customer.handlers import HANDLERS
from services.customer.models import Customer
from shared.clock import utcnow
from shared.consumer import EventConsumer
from shared.db import make_engine, make_session_factory
from shared.events import parse_event
from shared.handlers import Item
from shared.migrations import upgrade_to_head
from tools.results import RESULTS, write_results
from tools.simulator import cif_of, generate

FULL = (int(os.environ.get("BENCH_CUSTOMERS", 50_000)), int(os.environ.get("BENCH_EVENTS", 100_000)))
PG_SERVER = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ALEMBIC = str(Path(__file__).resolve().parents[1] / "services" / "customer" / "alembic")


def polls(customers: int, events: int, size: int) -> list[list[bytes]]:
    """The stream as the consumer polls it: per topic, in order, `size` records at a time, topics taking turns."""
    by_topic: dict[str, list[bytes]] = {}
    for topic, _, event in generate(customers, events):
        by_topic.setdefault(topic, []).append(json.dumps(event).encode())
    chunks = [[values[i:i + size] for i in range(0, len(values), size)] for values in by_topic.values()]
    return [poll for turn in zip_longest(*chunks) for poll in turn if poll]


async def fresh_database(name: str) -> str:
    conn = await asyncpg.connect(PG_SERVER)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"postgresql+asyncpg://{PG_SERVER.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
    await asyncio.to_thread(upgrade_to_head, ALEMBIC, url)
    return url


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(PG_SERVER)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def register_customers(sessions, customers: int) -> None:
    now = utcnow()
    async with sessions() as session:
        await seed_demo(session)
        await session.execute(Customer.__table__.insert(), [
            {"id": uuid.uuid5(uuid.NAMESPACE_OID, cif_of(n)), "cif": cif_of(n), "name": cif_of(n),
             "kind": "corporate" if n % 3 == 0 else "retail", "government_related": False, "status": "new",
             "tier": "standard", "unit_code": "SB01", "unit_path": "HQ/BR01/SB01", "owner": "rm01", "version": 1,
             "created_at": now} for n in range(5, customers + 1, 5)])
        await session.commit()


def parsed_polls(customers: int, events: int) -> tuple[list[list[tuple]], float]:
    """The polls, parsed, and what parsing cost per event (µs)."""
    raw = polls(customers, events, Settings().kafka_max_poll_records)
    started = time.perf_counter()
    batches = [[parse_event(value) for value in poll] for poll in raw]
    return batches, 1e6 * (time.perf_counter() - started) / sum(len(p) for p in raw)


async def run(path: str, customers: int, batches: list[list[tuple]]) -> dict:
    name = f"bench_customer_ingest_{len(batches)}"
    engine = make_engine(await fresh_database(name))
    try:
        sessions = make_session_factory(engine)
        await register_customers(sessions, customers)
        consumer = EventConsumer(name="customer", topics=[], handlers=HANDLERS, settings=Settings(),
                                 session_factory=sessions)
        events = sum(len(b) for b in batches)
        started = time.perf_counter()
        for batch in batches:
            await consumer.apply_batch([Item(None, consumer.handlers[env.type], env, data) for env, data in batch])
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
        await drop_database(name)
    return {"path": path, "customers": customers, "events": events, "seconds": round(seconds, 2),
            "events_per_s": round(events / seconds), "ms_per_event": round(1000 * seconds / events, 3)}


def recorded(customers: int, events: int) -> dict | None:
    """The last run's row for this stream, with when it was measured; None when there is none."""
    path = RESULTS / "customer_ingest.json"
    if not path.exists():
        return None
    stored = json.loads(path.read_text())
    same = [row for row in stored["rows"] if (row["customers"], row["events"]) == (customers, events)
            and row["path"] in ("set-based", "one path")]   # "set-based": the name before the per-event path went
    return {**same[-1], "path": f"recorded {stored['measured_at']}"} if same else None


def change(baseline: dict | None, row: dict) -> str:
    if baseline is None:
        return "no recorded figure for this stream to compare with"
    percent = 100 * (row["events_per_s"] / baseline["events_per_s"] - 1)
    return f"{percent:+.1f} % events/s against the {baseline['path']} run ({baseline['events_per_s']}/s)"


async def measure() -> tuple[list[dict], str]:
    baseline = recorded(*FULL)
    batches, parse_us = parsed_polls(*FULL)
    row = await run("one path", FULL[0], batches)
    return [r for r in (baseline, row) if r], f"{change(baseline, row)}; parsing adds {parse_us:.0f} µs per event"


def main() -> None:
    rows, summary = asyncio.run(measure())
    notes = (f"{summary}. Every fifth CIF registered; polls of {Settings().kafka_max_poll_records}; PostgreSQL; "
             f"{os.cpu_count()} cores shared with whatever else runs; `python -m bench.bench_customer_ingest`.")
    print(write_results("customer_ingest", rows, notes).read_text())


if __name__ == "__main__":
    main()

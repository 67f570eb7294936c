"""`python -m bench.bench_tasks_consumer`: the tasks consumer's own cost per event, without the broker.

The simulator's stream (tools/simulator.generate) is split by topic and cut into polls of up to 2,000
records, as a partition's batch reaches the consumer; each poll goes through EventConsumer.apply_batch
(dedup markers, handlers, one commit) against a fresh PostgreSQL database of the tasks service whose
customer book is seeded the way customer.assigned would have left it. The handlers (HANDLERS, the one
set-based path) are measured and set beside the baseline recorded in bench/results/tasks_consumer.json
(the set-based path before the per-event one was removed, 2026-12-04; kept as the baseline row by every
later run), with the same default sizes, so a regression shows as a ratio and a different task count.
The consumer's own CPU time per event (process time, the database's work excluded) is reported beside
the wall clock: it varies less with the machine's load than the wall clock does.
Sizes: --customers, --events.
"""
import argparse
import asyncio
import json
import os
import time
from collections import Counter
from datetime import datetime, timezone

import asyncpg
from sqlalchemy import func, select

from services.tasks.handlers import HANDLERS
from services.tasks.models import CustomerBook, Task
from shared.consumer import EventConsumer
from shared.db import insert, make_engine, make_session_factory
from shared.events import parse_event
from shared.handlers import Item
from shared.migrations import upgrade_to_head
from shared.settings import ServiceSettings
from tools.devstack import ROOT, postgres_database_url
from tools.results import RESULTS, write_results
from tools.simulator import cif_of, generate

POLL = 2000


def polls(stream: list[tuple[str, str, dict]]) -> list[list[tuple]]:
    """Each topic's events in order, cut into polls; the topics take turns as the consumer's fetches do."""
    by_topic: dict[str, list] = {}
    for topic, _, event in stream:
        by_topic.setdefault(topic, []).append(parse_event(json.dumps(event).encode()))
    cut = {t: [evs[i:i + POLL] for i in range(0, len(evs), POLL)] for t, evs in by_topic.items()}
    rounds = max(len(c) for c in cut.values())
    return [c[n] for n in range(rounds) for c in cut.values() if n < len(c)]


async def seed_book(sessions, customers: int) -> None:
    """The customer book as customer.assigned leaves it: every customer owned by one of 50 RMs."""
    now = datetime.now(timezone.utc)
    rows = [{"cif": cif_of(n), "customer_ref": f"ref-{n}", "owner": f"rm{n % 50:02d}", "owner_team": f"T{n % 10:02d}",
             "unit_path": "HQ/BR01/SB01", "government_related": n % 10 == 0, "kind": "corporate", "tier": "standard",
             "updated_at": now} for n in range(1, customers + 1)]
    async with sessions() as session:
        for start in range(0, len(rows), 2000):
            await session.execute(insert(session, CustomerBook).values(rows[start:start + 2000]))
        await session.commit()


async def run_path(url: str, handlers: dict, batches: list[list[tuple]], customers: int) -> dict:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        await seed_book(sessions, customers)
        consumer = EventConsumer(name="tasks", topics=[], handlers=handlers, settings=ServiceSettings(),
                                 session_factory=sessions)
        started, cpu = time.perf_counter(), time.process_time()
        for batch in batches:
            await consumer.apply_batch([Item(None, consumer.handlers[env.type], env, data) for env, data in batch])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        async with sessions() as session:
            tasks = (await session.execute(select(func.count()).select_from(Task))).scalar()
    finally:
        await engine.dispose()
    events = sum(len(b) for b in batches)
    return {"events": events, "seconds": round(seconds, 2), "events_per_s": round(events / seconds),
            "ms_per_event": round(seconds * 1000 / events, 3),
            "consumer_cpu_ms_per_event": round(cpu * 1000 / events, 3), "tasks": tasks}


def fresh_database(server: str, name: str) -> str:
    url = postgres_database_url(server, name, recreate=True).replace("postgresql://", "postgresql+asyncpg://")
    upgrade_to_head(str(ROOT / "services" / "tasks" / "alembic"), url)
    return url


async def drop(server: str, names: list[str]) -> None:
    conn = await asyncpg.connect(server)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def recorded_baseline() -> dict | None:
    """The baseline row of the recorded results: the row kept as "baseline", or the pre-change
    "set-based" row of the two-path benchmark."""
    try:
        rows = json.loads((RESULTS / "tasks_consumer.json").read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return None
    row = next((r for r in rows if r.get("path") in ("baseline", "set-based")), None)
    return {**row, "path": "baseline"} if row else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--events", type=int, default=6000)
    args = parser.parse_args()
    server = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    stream = list(generate(args.customers, args.events))
    batches = polls(stream)
    mix = Counter(event["type"] for _, _, event in stream)
    print(f"{len(stream)} events for {args.customers} customers in {len(batches)} polls: {dict(mix)}")
    name = f"bench_tasks_consumer_{os.getpid()}"   # runs may overlap
    try:
        result = asyncio.run(run_path(fresh_database(server, name), HANDLERS, batches, args.customers))
    finally:
        asyncio.run(drop(server, [name]))
    print(result)
    baseline = recorded_baseline()
    rows = [{"path": "handlers", "customers": args.customers, **result}] + ([baseline] if baseline else [])
    notes = (f"{len(stream)} events ({', '.join(f'{t} {n}' for t, n in mix.most_common())}) in {len(batches)} polls of "
             f"up to {POLL}, through EventConsumer.apply_batch against PostgreSQL, no broker; consumer_cpu is this "
             "process's CPU (the database's work excluded). `python -m bench.bench_tasks_consumer`.")
    if baseline and (baseline["customers"], baseline["events"]) == (args.customers, len(stream)):
        ratio = result["consumer_cpu_ms_per_event"] / baseline["consumer_cpu_ms_per_event"]
        same = result["tasks"] == baseline["tasks"]
        notes += (f" Against the recorded baseline: consumer CPU per event {ratio:.2f}×, events/s "
                  f"{result['events_per_s']} vs {baseline['events_per_s']}; "
                  f"same task count: {'yes' if same else 'NO'}.")
    print(write_results("tasks_consumer", rows, notes).read_text())


if __name__ == "__main__":
    main()

"""`python -m bench.bench_tasks_consumer`: the tasks consumer's own cost per event, without the broker.

The simulator's stream (tools/simulator.generate) is split by topic and cut into polls of up to 2,000
records, as a partition's batch reaches the consumer; each poll goes through EventConsumer.apply_batch
(dedup markers, handlers, one commit) against a fresh PostgreSQL database of the tasks service whose
customer book is seeded the way customer.assigned would have left it. The event-by-event handlers
(PER_EVENT_HANDLERS) and the set-based ones (HANDLERS) run on the same stream in the same run, so the
ratio holds on a busy machine even when the absolute numbers do not; the consumer's own CPU time per
event (process time, the database's work excluded) is reported beside the wall clock.
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

from bench.loadgen import write_results
from services.tasks.handlers import HANDLERS, PER_EVENT_HANDLERS
from services.tasks.models import CustomerBook, Task
from shared.consumer import EventConsumer
from shared.handlers import Item
from shared.db import insert, make_engine, make_session_factory
from shared.events import parse_event
from shared.migrations import upgrade_to_head
from shared.settings import ServiceSettings
from tools.devstack import ROOT, postgres_database_url
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # the event-by-event path needs minutes for these sizes on a shared machine
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--skip-per-event", action="store_true", help="measure the set-based handlers only")
    args = parser.parse_args()
    server = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    stream = list(generate(args.customers, args.events))
    batches = polls(stream)
    mix = Counter(event["type"] for _, _, event in stream)
    print(f"{len(stream)} events for {args.customers} customers in {len(batches)} polls: {dict(mix)}")
    paths = [("set-based", HANDLERS)] + ([] if args.skip_per_event else [("per-event", PER_EVENT_HANDLERS)])
    names = [f"bench_tasks_consumer_{os.getpid()}_{label.replace('-', '_')}" for label, _ in paths]  # runs may overlap
    results = {}
    try:
        for (label, handlers), name in zip(paths, names):
            results[label] = asyncio.run(run_path(fresh_database(server, name), handlers, batches, args.customers))
            print(label, results[label])
    finally:
        asyncio.run(drop(server, names))
    rows = [{"path": label, "customers": args.customers, **result} for label, result in results.items()]
    notes = (f"{len(stream)} events ({', '.join(f'{t} {n}' for t, n in mix.most_common())}) in {len(batches)} polls of "
             f"up to {POLL}, through EventConsumer.apply_batch against PostgreSQL, no broker; consumer_cpu is this "
             "process's CPU (the database's work excluded). Compare rows of one run; "
             "`python -m bench.bench_tasks_consumer`.")
    if "per-event" in results:
        ratio = results["set-based"]["events_per_s"] / results["per-event"]["events_per_s"]
        same = results["set-based"]["tasks"] == results["per-event"]["tasks"]
        notes += f" set-based / per-event = {ratio:.1f}× on the same stream; same task count: {'yes' if same else 'NO'}."
    print(write_results("tasks_consumer", rows, notes).read_text())


if __name__ == "__main__":
    main()

"""`python -m bench.bench_appraisal_consumer`: the appraisal consumer's own ingest rate, without a broker.

The simulator's stream (tools/simulator.generate) is parsed up front, split by topic as the consumer
receives it and cut into polls of BENCH_POLL records; each poll goes through EventConsumer.apply_batch
exactly as a polled batch does (runs, one commit), on a fresh PostgreSQL database of the appraisal
service, timed per phase: the account openings, then the movement mix. Each phase's rate is set beside
the figure the previous run recorded in bench/results/appraisal_consumer.json for the same phase and
size (read before this run overwrites it): compare the ratio, not absolute rates (the machine is
shared). cpu_ms_per_event is this process's CPU time (Python + driver).
Sizes via BENCH_CUSTOMERS / BENCH_EVENTS / BENCH_POLL.
"""
import asyncio
import json
import os
import time

from services.appraisal.config import Settings
from services.appraisal.handlers import HANDLERS
from shared.consumer import EventConsumer
from shared.db import make_engine, make_session_factory
from shared.events import parse_event
from shared.handlers import Item
from shared.migrations import upgrade_to_head
from tools.devstack import ROOT, postgres_database_url
from tools.results import RESULTS, write_results
from tools.simulator import generate

NAME = "appraisal_consumer"
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 50_000))
EVENTS = int(os.environ.get("BENCH_EVENTS", 100_000))
POLL = int(os.environ.get("BENCH_POLL", 2_000))
PG = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def polls(stream: list[tuple[str, object, object]]) -> list[list[tuple]]:
    """Per topic in publish order, cut at POLL records (a partition's poll never mixes topics)."""
    by_topic: dict[str, list[tuple]] = {}
    for topic, envelope, data in stream:
        by_topic.setdefault(topic, []).append((envelope, data))
    return [events[i:i + POLL] for events in by_topic.values() for i in range(0, len(events), POLL)]


def database(name: str) -> str:
    url = postgres_database_url(PG, name, recreate=True).replace("postgresql://", "postgresql+asyncpg://")
    upgrade_to_head(str(ROOT / "services" / "appraisal" / "alembic"), url)
    return url


async def timed(consumer: EventConsumer, stream: list[tuple]) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    for poll in polls(stream):
        await consumer.apply_batch([Item(None, consumer.handlers[envelope.type], envelope, data) for envelope, data in poll])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"events": len(stream), "seconds": round(wall, 2), "events_per_s": round(len(stream) / wall),
            "cpu_ms_per_event": round(cpu * 1000 / len(stream), 3)}


async def run(url: str, phases: list[tuple[str, list]]) -> list[dict]:
    engine = make_engine(url)
    consumer = EventConsumer(name="appraisal", topics=[], handlers=HANDLERS, settings=Settings(),
                             session_factory=make_session_factory(engine))
    try:
        return [{"phase": phase, **await timed(consumer, events)} for phase, events in phases]
    finally:
        await engine.dispose()


def recorded() -> tuple[dict[tuple[str, int], int], str]:
    """(phase, events) -> events/s of the one path as last recorded, and when it was measured."""
    try:
        stored = json.loads((RESULTS / f"{NAME}.json").read_text())
    except (OSError, ValueError):
        return {}, "nothing recorded"
    # rows of an older file also hold the per-event path, since removed: only the set-based rows count
    return ({(r["phase"], r["events"]): r["events_per_s"] for r in stored["rows"] if r.get("path", "batched") ==
             "batched"}, stored.get("measured_at", "?"))


def beside_recorded(rows: list[dict], baseline: dict[tuple[str, int], int]) -> list[dict]:
    for row in rows:
        before = baseline.get((row["phase"], row["events"]))
        row["recorded_events_per_s"] = before
        row["vs_recorded"] = f"{row['events_per_s'] / before:.2f}x" if before else None
    return rows


def main() -> None:
    stream = []
    for topic, _, event in generate(CUSTOMERS, EVENTS):
        envelope, data = parse_event(json.dumps(event).encode())
        if envelope.type in HANDLERS:
            stream.append((topic, envelope, data))
    baseline, measured_at = recorded()
    rows = asyncio.run(run(database("bench_appraisal_consumer"),
                           [("openings", stream[:CUSTOMERS]), ("movement mix", stream[CUSTOMERS:])]))
    seconds = sum(r["seconds"] for r in rows)
    rows.append({"phase": "whole stream", "events": len(stream), "seconds": round(seconds, 2),
                 "events_per_s": round(len(stream) / seconds)})
    rows = beside_recorded(rows, baseline)
    notes = (f"{CUSTOMERS} customers, {EVENTS} events, polls of {POLL}; the one (set-based) path; "
             f"recorded_events_per_s: the run measured at {measured_at}")
    for row in rows:
        print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
    print(notes)
    write_results(NAME, rows, notes)


if __name__ == "__main__":
    main()

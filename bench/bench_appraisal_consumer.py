"""`python -m bench.bench_appraisal_consumer`: the appraisal consumer's own ingest rate, without a broker.

The simulator's stream (tools/simulator.generate) is parsed up front, split by topic as the consumer
receives it and cut into polls of BENCH_POLL records; each poll goes through EventConsumer.apply_batch
exactly as a polled batch does (dedup markers, runs, one commit), on a fresh PostgreSQL database of the
appraisal service per path:
  one-at-a-time — the reference handlers (handlers.PER_EVENT_HANDLERS), each event alone in the transaction,
                  as the consumer ran before the set-based path;
  batched       — the consumer's handlers (handlers.HANDLERS): a poll of core-banking events is one run.
Both paths apply the same events; the one-at-a-time path is slow, so it is given the first BENCH_OLD_EVENTS
of each phase (account openings, then the movement mix), and the batched path is timed on exactly those
and then on the whole stream. Both run in one process, one after the other: compare the ratio, not
absolute rates (the machine is shared). cpu_ms_per_event is this process's CPU time (Python + driver).
Sizes via BENCH_CUSTOMERS / BENCH_EVENTS / BENCH_OLD_EVENTS / BENCH_POLL.
"""
import asyncio
import json
import os
import time

from services.appraisal.config import Settings
from services.appraisal.handlers import HANDLERS, PER_EVENT_HANDLERS
from shared.consumer import EventConsumer
from shared.handlers import Item
from shared.db import make_engine, make_session_factory
from shared.events import parse_event
from shared.migrations import upgrade_to_head
from tools.devstack import ROOT, postgres_database_url
from tools.results import write_results
from tools.simulator import generate

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 50_000))
EVENTS = int(os.environ.get("BENCH_EVENTS", 100_000))
OLD_EVENTS = int(os.environ.get("BENCH_OLD_EVENTS", 4_000))
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


async def timed(consumer: EventConsumer, handlers: dict, stream: list[tuple]) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    for poll in polls(stream):
        await consumer.apply_batch([Item(None, consumer.handlers[envelope.type], envelope, data) for envelope, data in poll])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"events": len(stream), "seconds": round(wall, 2), "events_per_s": round(len(stream) / wall),
            "cpu_ms_per_event": round(cpu * 1000 / len(stream), 3)}


async def run_path(url: str, handlers: dict, phases: list[tuple[str, list]]) -> list[dict]:
    engine = make_engine(url)
    consumer = EventConsumer(name="appraisal", topics=[], handlers=handlers, settings=Settings(),
                             session_factory=make_session_factory(engine))
    try:
        return [{"phase": phase, **await timed(consumer, handlers, events)} for phase, events in phases]
    finally:
        await engine.dispose()


def main() -> None:
    stream = []
    for topic, _, event in generate(CUSTOMERS, EVENTS):
        envelope, data = parse_event(json.dumps(event).encode())
        if envelope.type in HANDLERS:
            stream.append((topic, envelope, data))
    openings, mix = stream[:CUSTOMERS], stream[CUSTOMERS:]
    sample = [("openings", openings[:OLD_EVENTS]), ("movement mix", mix[:OLD_EVENTS])]
    rows = [{"path": "one-at-a-time", **row}
            for row in asyncio.run(run_path(database("bench_appraisal_consumer_old"), PER_EVENT_HANDLERS, sample))]
    rows += [{"path": "batched", **row} for row in asyncio.run(run_path(
        database("bench_appraisal_consumer_new"), HANDLERS,
        sample + [("openings (rest)", openings[OLD_EVENTS:]), ("movement mix (rest)", mix[OLD_EVENTS:])]))]
    whole = [r for r in rows if r["path"] == "batched"]
    total_events, total_s = sum(r["events"] for r in whole), sum(r["seconds"] for r in whole)
    rows.append({"path": "batched", "phase": "whole stream", "events": total_events, "seconds": round(total_s, 2),
                 "events_per_s": round(total_events / total_s)})
    notes = [f"{CUSTOMERS} customers, {EVENTS} events, polls of {POLL}; one-at-a-time on the first {OLD_EVENTS} "
             f"of each phase"]
    for phase, _ in sample:
        old, new = (next(r for r in rows if r["path"] == p and r["phase"] == phase) for p in ("one-at-a-time", "batched"))
        notes.append(f"{phase}: batched / one-at-a-time = {new['events_per_s'] / old['events_per_s']:.1f}x")
    for row in rows:
        print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
    print("\n".join(notes))
    write_results("appraisal_consumer", rows, "; ".join(notes))


if __name__ == "__main__":
    main()

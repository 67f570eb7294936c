"""`python -m bench.bench_ingest`: end-to-end ingest of a core-banking stream through every service.

1. Throughput: 100,000 simulator events (90 % deposit.changed, 10 % loan events) for 50,000 customers,
   published as fast as the producer goes; timed from the first publish until every consumer group has
   caught up and every outbox is drained (each effect visible in holdings, tasks and the appraisal
   ledger). The customers' first accounts (one deposit.opened each, the simulator's preamble) are
   published and applied before the clock starts, so the timed stream has the mix the issue names; the
   stream is generated and serialised before it too (core banking's work), so the clock sees producing.
2. Latency: a steady 1,000 events/s of the stream for LATENCY_S seconds, with loan.due events of known
   ids mixed in; event → task-visible is publish time → the first poll of the tasks database that sees
   a task with that source_event_id (poll every 20 ms, so ±20 ms).
Targets: ≥ 5,000 events/s; p99 ≤ 2 s. Sizes via BENCH_CUSTOMERS / BENCH_EVENTS / BENCH_LATENCY_S.
"""
import asyncio
import itertools
import json
import os
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.loadgen import cpu_seconds, cpu_seconds_named
from shared.events import LOANS_TOPIC
from tools.databases import database_urls
from tools.devstack import Stack
from tools.results import write_results
from tools.simulator import envelope, generate, publish
from tools.watch import caught_up, query

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 50_000))
EVENTS = int(os.environ.get("BENCH_EVENTS", 100_000))
LATENCY_S = int(os.environ.get("BENCH_LATENCY_S", 30))
RATE, PROBE_EVERY = 1000, 50  # one loan.due probe per 50 stream events: 20 probes a second


def probes(customers: int, count: int, seed: int = 99):
    rng, day = random.Random(seed), date(2026, 11, 20)
    for n in range(count):
        cif = f"C{rng.randint(1, customers):09d}"
        yield LOANS_TOPIC, cif, envelope("loan.due", cif, {
            "loan_id": f"LPROBE{n:07d}", "customer_id": cif, "due_date": (day + timedelta(days=40)).isoformat(),
            "principal_due": "100000.00", "interest_due": "350.00", "outstanding_balance": "400000.00"}, day, rng)


def steady_stream(customers: int, seconds: int, sent_at: dict):
    """The simulator's stream at RATE for `seconds`, a loan.due probe every PROBE_EVERY events; records
    when each probe is handed to the producer (the publisher paces, so this is its send time)."""
    # The accounts exist since phase 1 (the same ids): skip this seed's preamble, keep its movements.
    stream = itertools.islice(generate(customers, customers + RATE * seconds, seed=11), customers, None)
    probe = probes(customers, RATE * seconds // PROBE_EVERY)
    for n, item in enumerate(stream, start=1):
        yield item
        if n % PROBE_EVERY == 0:
            topic, key, event = next(probe)
            sent_at[event["id"]] = time.perf_counter()
            yield topic, key, event


async def latencies(stack: Stack, sent_at: dict, deadline_s: float) -> dict[str, float]:
    seen: dict[str, float] = {}
    deadline = time.perf_counter() + deadline_s
    while time.perf_counter() < deadline and (len(seen) < len(sent_at) or not sent_at):
        pending = [i for i in sent_at if i not in seen]
        if pending:
            rows = await query(stack, "tasks", "SELECT DISTINCT source_event_id FROM task "
                                               "WHERE source_event_id = ANY(:ids)", ids=pending)
            now = time.perf_counter()
            seen.update({r[0]: now - sent_at[r[0]] for r in rows})
        await asyncio.sleep(0.02)  # polling interval of the measurement, not a fix for timing
    return seen


def cpu_now(stack: Stack) -> dict[str, float]:
    """CPU seconds used so far by each process of the stack, PostgreSQL, and this publisher."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {**{name: cpu_seconds(proc.pid) for name, proc in stack.procs.items()},
            "postgresql": cpu_seconds_named("postgres"), "this bench (publisher)": usage.ru_utime + usage.ru_stime}


async def measure(stack: Stack) -> tuple[list[dict], dict[str, float]]:
    stream = generate(CUSTOMERS, CUSTOMERS + EVENTS)
    kafka = stack.kafka
    assert kafka, "the stack's broker is started first"
    setup_started = time.perf_counter()
    await publish(kafka, itertools.islice(stream, CUSTOMERS))   # the preamble: one account each
    await caught_up(stack, timeout=3600)
    setup = time.perf_counter() - setup_started
    # Core banking's side — generating and serialising the stream — happens before the clock: the
    # timed publish is only what producing costs.
    timed = [(topic, key, json.dumps(event).encode()) for topic, key, event in stream]
    cpu_before, started = cpu_now(stack), time.perf_counter()
    sent = await publish(kafka, timed)
    published = time.perf_counter() - started
    await caught_up(stack, timeout=3600)
    elapsed = time.perf_counter() - started
    cpu = {name: round(spent - cpu_before.get(name, 0.0), 1) for name, spent in cpu_now(stack).items()}
    sent_at: dict[str, float] = {}
    producing = asyncio.create_task(publish(kafka, steady_stream(CUSTOMERS, LATENCY_S, sent_at), rate=RATE))
    seen = await latencies(stack, sent_at, LATENCY_S + 120)
    await producing
    lat = sorted(seen.values())
    at = lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else None  # noqa: E731
    return ([{"phase": "ingest", "customers": CUSTOMERS, "events": sent["sent"], "publish_s": round(published, 1),
             "all_visible_s": round(elapsed, 1), "events_per_s": round(sent["sent"] / elapsed),
             "target": "≥ 5,000 events/s"},
            {"phase": "preamble: first accounts (not timed above)", "customers": CUSTOMERS, "events": CUSTOMERS,
             "all_visible_s": round(setup, 1), "events_per_s": round(CUSTOMERS / setup)},
            {"phase": f"latency at {RATE}/s for {LATENCY_S}s", "probes": len(sent_at), "task_visible": len(seen),
             "p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": at(1.0), "target": "p99 ≤ 2,000 ms"}], cpu)


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    urls, backend = database_urls(var, "bench_ingest")
    stack = Stack(var=var, database_urls=urls)
    try:
        stack.start_all()
        rows, cpu = asyncio.run(measure(stack))
    finally:
        stack.stop_all()
    busiest = ", ".join(f"{name} {spent}" for name, spent in sorted(cpu.items(), key=lambda kv: -kv[1]) if spent >= 0.1)
    notes = (f"{backend}, bundled Tansu broker, one instance of each consumer, {os.cpu_count()} cores shared with "
             "the publisher; `make bench` or `python -m bench.bench_ingest`. CPU seconds spent during the timed "
             f"ingest ({sum(cpu.values()):.0f} in all, against {os.cpu_count()} cores × all_visible_s): {busiest}.")
    print(write_results("ingest", rows, notes).read_text())


if __name__ == "__main__":
    main()

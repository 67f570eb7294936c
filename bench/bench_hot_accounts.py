"""`python -m bench.bench_hot_accounts`: hot accounts through every service — a few thousand customers
with many movements a day whose balances climb through the tiers.

2,000 retail customers are registered through the API (so the customer service judges their tier and
the tasks service knows their owner) and each gets a demand account; then, on the clock, 100,000
deposit.changed — 50 inflows per customer of BENCH_HOT_INFLOW CNY each on one business day, the
customers taking turns — so every balance climbs through gold, platinum and private (three
customer.tier-changed each, each a tasks run of re-ranking and a review) and every account raises and
refreshes a large-inflow follow-up. Consumers are idle before the clock; it stops when all three
consumer groups have committed the last offset (the tasks events they read included) and no outbox
row waits. Each group's own finish time is the moment it last became caught up.
Target (issue 19): the tasks consumer finishes within 20 % of the slowest other consumer.
Sizes via BENCH_HOT_CUSTOMERS / BENCH_HOT_INFLOWS / BENCH_HOT_INFLOW.
"""
import asyncio
import json
import os
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

from bench.bench_ingest import cpu_now
from bench.loadgen import UNTHROTTLED
from services.customer.cli.seed import DEMO_PASSWORD
from shared.events import DEPOSITS_TOPIC
from tools.databases import database_urls
from tools.devstack import CONSUMERS, Stack
from tools.results import write_results
from tools.simulator import cif_of, envelope, publish
from tools.watch import Watch, caught_up

CUSTOMERS = int(os.environ.get("BENCH_HOT_CUSTOMERS", 2_000))
INFLOWS = int(os.environ.get("BENCH_HOT_INFLOWS", 50))
INFLOW = int(os.environ.get("BENCH_HOT_INFLOW", 50_000))   # 50 × 50,000 CNY: 2.5 M, past the private line
DAY, RM, REGISTERING = date(2026, 11, 24), "rm01", 16


async def register(stack: Stack) -> None:
    """The customers as an RM registers them (customer.registered / customer.assigned follow)."""
    base = stack.url("gateway") + "/api/v1"
    async with httpx.AsyncClient(timeout=60) as client:
        r = await client.post(base + "/auth/token", data={"username": RM, "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {r.raise_for_status().json()['access_token']}"}
        todo = iter(range(1, CUSTOMERS + 1))

        async def worker() -> None:
            for n in todo:
                r = await client.post(base + "/customers", headers=headers,
                                      json={"cif": cif_of(n), "name": f"客户{n}", "kind": "retail"})
                r.raise_for_status()
        await asyncio.gather(*(worker() for _ in range(REGISTERING)))


def account(n: int) -> str:
    return f"H{n:09d}"


def opening_stream(rng: random.Random):
    for n in range(1, CUSTOMERS + 1):
        yield DEPOSITS_TOPIC, cif_of(n), envelope("deposit.opened", cif_of(n), {
            "account_id": account(n), "customer_id": cif_of(n), "product": "demand", "currency": "CNY",
            "opened_on": DAY.isoformat()}, DAY, rng)


def hot_stream(rng: random.Random) -> list[tuple[str, str, bytes]]:
    """Serialised before the clock (core banking's work): inflow k of every customer, then k + 1."""
    stream = []
    for k in range(1, INFLOWS + 1):
        for n in range(1, CUSTOMERS + 1):
            event = envelope("deposit.changed", cif_of(n), {
                "account_id": account(n), "customer_id": cif_of(n), "product": "demand", "currency": "CNY",
                "amount": f"{INFLOW}.00", "balance": f"{INFLOW * k}.00", "channel": "transfer"}, DAY, rng)
            stream.append((DEPOSITS_TOPIC, cif_of(n), json.dumps(event).encode()))
    return stream


async def finish_times(stack: Stack, started: float, timeout: float = 3600) -> dict[str, float]:
    """Seconds from `started` to the moment each group last became caught up, once all are and no
    outbox row is waiting (a tasks event published late puts the groups that read it behind again)."""
    finished: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    async with Watch(stack, CONSUMERS) as watch:
        while True:
            lags, now = await watch.lags(), time.perf_counter() - started
            for group, lag in lags.items():
                if lag:
                    finished.pop(group, None)
                else:
                    finished.setdefault(group, now)
            if len(finished) == len(CONSUMERS) and not await watch.unpublished():
                return finished
            if time.monotonic() > deadline:
                raise AssertionError(f"not caught up after {timeout}s: {lags}")
            await asyncio.sleep(0.2)   # how often the measurement looks, not a wait for something


async def measure(stack: Stack) -> tuple[list[dict], dict[str, float]]:
    rng = random.Random(19)
    await register(stack)
    await publish(stack.kafka, opening_stream(rng))
    await caught_up(stack, timeout=600)
    stream = hot_stream(rng)
    cpu_before, started = cpu_now(stack), time.perf_counter()
    sent = await publish(stack.kafka, stream)
    published = time.perf_counter() - started
    finished = await finish_times(stack, started)
    cpu = {name: round(spent - cpu_before.get(name, 0.0), 1) for name, spent in cpu_now(stack).items()}
    total = max(finished.values())
    others = max(t for group, t in finished.items() if group != "tasks")
    rows = [{"consumer": group, "finished_s": round(t, 1), "events_per_s_until_then": round(sent["sent"] / t),
             "cpu_s": cpu.get(f"{group}-consumer")} for group, t in sorted(finished.items())]
    rows.append({"consumer": "all three", "finished_s": round(total, 1),
                 "events_per_s_until_then": round(sent["sent"] / total), "publish_s": round(published, 1),
                 "tasks_vs_slowest_other": f"{finished['tasks'] / others:.2f}×",
                 "target": "tasks ≤ 1.20× the slowest other"})
    return rows, cpu


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="bench-hot-"))
    urls, backend = database_urls(var, "bench_hot")
    stack = Stack(var=var, database_urls=urls)
    stack.extra_env.update(UNTHROTTLED)
    try:
        stack.start_all()
        rows, cpu = asyncio.run(measure(stack))
    finally:
        stack.stop_all()
    verdict = "meets" if float(rows[-1]["tasks_vs_slowest_other"].rstrip("×")) <= 1.2 else "MISSES"
    busiest = ", ".join(f"{name} {spent}" for name, spent in sorted(cpu.items(), key=lambda kv: -kv[1]) if spent >= 0.1)
    notes = (f"{CUSTOMERS * INFLOWS} deposit.changed over {CUSTOMERS} retail customers ({INFLOWS} inflows of {INFLOW} "
             f"CNY each on one business day: every balance climbs through gold, platinum and private); {backend}, "
             f"bundled Tansu broker, one instance of each consumer, idle before the clock, {os.cpu_count()} cores. "
             f"The tasks consumer {verdict} the target (≤ 1.20× the slowest other). CPU seconds in the timed run: "
             f"{busiest}. `python -m bench.bench_hot_accounts`.")
    print(write_results("hot_accounts", rows, notes).read_text())


if __name__ == "__main__":
    main()

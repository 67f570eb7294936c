"""`python -m bench.bench_soak`: ten minutes of what a working day looks like, at a steady rate —
RMs opening home, agenda, customers and scorecards, logging visits and registering customers
through the gateway, while core banking streams events — then checks that nothing failed, every
event was applied (no lag, nothing dead-lettered) and each process's memory stayed flat.

Memory is resident set size (VmRSS) per process, sampled every SAMPLE_S seconds after a warm-up
(caches, pools and JIT-free Python allocators fill in the first minute); "flat" means the second
half of the soak grew less than FLAT_LIMIT_MB. Sizes via SOAK_SECONDS / SOAK_EVENTS_PER_S /
SOAK_REQUESTS_PER_S; writes bench/results/soak.{json,md}.
"""
import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import httpx

from bench.loadgen import UNTHROTTLED
from services.customer.cli.seed import DEMO_PASSWORD
from tools.databases import database_urls
from tools.devstack import Stack
from tools.results import FLAT_LIMIT_MB, memory_table, write_results
from tools.simulator import generate, publish
from tools.watch import caught_up, dead_letters

SECONDS = int(os.environ.get("SOAK_SECONDS", 600))
EVENTS_PER_S = int(os.environ.get("SOAK_EVENTS_PER_S", 200))
REQUESTS_PER_S = int(os.environ.get("SOAK_REQUESTS_PER_S", 50))
WARMUP_S, SAMPLE_S = 60, 30
USERS = ("rm01", "rm02")
SOAK_CUSTOMERS = 2_000   # core-banking customers; each starts with one account-opening event


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (a uvicorn with workers is a parent and its workers)."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        kids = [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except FileNotFoundError:
        return []
    return kids + [g for k in kids for g in _children(k)]


class Day:
    """One RM's loop: mostly reads, a visit logged now and then, a new customer rarely."""

    def __init__(self, client: httpx.AsyncClient, me: str, token: str, customers: list[str], period: str):
        self.client, self.me, self.customers, self.period = client, me, customers, period
        self.headers = {"Authorization": f"Bearer {token}"}
        self.outcomes: Counter = Counter()
        self.failures: list[str] = []

    async def step(self, n: int) -> None:
        customer = self.customers[n % len(self.customers)]
        if n % 10 == 9:
            response = await self.client.post(
                f"/customers/{customer}/interactions", headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
                json={"channel": "phone", "occurred_on": date.today().isoformat(), "notes": "电话回访，客户无新增需求"})
        elif n % 50 == 49:
            response = await self.client.post("/customers", headers={**self.headers,
                                                                     "Idempotency-Key": str(uuid.uuid4())},
                                              json={"cif": f"CS{uuid.uuid4().int % 10**10:010d}",
                                                    "name": "浸泡测试客户", "kind": "retail"})
        else:
            path = ("/me/home", "/me/agenda", "/customers?limit=20", f"/customers/{customer}",
                    f"/appraisal/scorecards/{{me}}?period={self.period}", "/me")[n % 6]
            response = await self.client.get(path.replace("{me}", self.me), headers=self.headers)
        self.outcomes[response.status_code] += 1
        if response.status_code >= 400 and len(self.failures) < 20:
            self.failures.append(f"{response.request.method} {response.request.url.path} → {response.status_code} "
                                 f"{response.text[:200]}")


async def sign_in(client: httpx.AsyncClient, username: str) -> tuple[str, list[str]]:
    token = (await client.post("/auth/token", data={"username": username, "password": DEMO_PASSWORD})).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    ids = []
    for i in range(20):   # each RM's own book, so every read is in scope
        customer = {"cif": f"CK{username[-2:]}{i:06d}", "name": "浸泡测试企业", "kind": "corporate"}
        response = await client.post("/customers", headers=headers, json=customer)
        response.raise_for_status()
        ids.append(response.json()["id"])
    return token["access_token"], ids


async def drive(stack: Stack) -> dict:
    period = date.today().strftime("%Y-%m")
    async with httpx.AsyncClient(base_url=stack.url("gateway") + "/api/v1", timeout=30) as client:
        days = []
        for username in USERS:
            token, ids = await sign_in(client, username)
            days.append(Day(client, username, token, ids, period))
        assert stack.kafka, "the stack's broker is started first"
        events = asyncio.create_task(publish(stack.kafka, generate(SOAK_CUSTOMERS, EVENTS_PER_S * SECONDS, seed=5),
                                             rate=EVENTS_PER_S))
        samples: list[tuple[float, dict[str, float]]] = []
        started, n = time.perf_counter(), 0
        next_sample = started + WARMUP_S
        while (elapsed := time.perf_counter() - started) < SECONDS:
            await asyncio.gather(*(day.step(n) for day in days))
            n += 1
            if time.perf_counter() >= next_sample:
                samples.append((round(elapsed), {name: rss_mb(p.pid) for name, p in stack.procs.items()}))
                next_sample += SAMPLE_S
            ahead = n * len(days) / REQUESTS_PER_S - (time.perf_counter() - started)
            if ahead > 0:
                await asyncio.sleep(ahead)   # pacing the load, not waiting on a condition
        samples.append((round(time.perf_counter() - started), {name: rss_mb(p.pid) for name, p in stack.procs.items()}))
        sent = await events
    await caught_up(stack, timeout=600)
    return {"days": days, "samples": samples, "sent": sent, "requests": n * len(days),
            "dead": await dead_letters(stack)}


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    urls, backend = database_urls(var, "bench_soak")
    stack = Stack(var=var, database_urls=urls)
    stack.extra_env.update(UNTHROTTLED)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # stopped from outside: still stop the stack
    try:
        stack.start_all()
        result = asyncio.run(drive(stack))
    finally:
        stack.stop_all()
    outcomes: Counter[int] = sum((d.outcomes for d in result["days"]), Counter())
    failures = [f for d in result["days"] for f in d.failures]
    errors = sum(count for status, count in outcomes.items() if status >= 400)
    notes = (f"{SECONDS} s on {backend}: {result['requests']} API requests through the gateway at "
             f"{REQUESTS_PER_S}/s (statuses {dict(sorted(outcomes.items()))}, errors {errors}), "
             f"{result['sent']['sent']} core-banking events at {EVENTS_PER_S}/s, all applied afterwards "
             f"(no lag, no outbox backlog); dead-lettered: {sum(len(v) for v in result['dead'].values())}. "
             f"RSS sampled every {SAMPLE_S} s after a {WARMUP_S} s warm-up; flat = the second half grew "
             f"< {FLAT_LIMIT_MB:.0f} MB. `python -m bench.bench_soak`." + ("\n\nFirst failures:\n" + "\n".join(failures)
                                                                          if failures else ""))
    print(write_results("soak", memory_table(result["samples"]), notes).read_text())
    if errors or any(result["dead"].values()):
        raise SystemExit("the soak saw errors")


if __name__ == "__main__":
    main()

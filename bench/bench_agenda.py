"""`python -m bench.bench_agenda`: the morning agenda of a busy RM, through the gateway.

rm01 owns 2,000 customers and 5,000 open tasks (a fifth of them overdue, the rest spread over the
next four months); we measure GET /api/v1/me/agenda (default page: the top 100, ranked and
explained) at 32 concurrent connections through the gateway, and the tasks service alone for
comparison; besides throughput and latency, the CPU time the gateway and the tasks service spent per
request (what a busy shared machine still lets two commits be compared by). PostgreSQL when reachable
(as in production), else the embedded SQLite default. Target: p99 ≤ 50 ms through the gateway.
"""
import asyncio
import os
import random
import tempfile
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx

from bench.loadgen import UNTHROTTLED, cpu_seconds, run_load
from services.customer.cli.seed import DEMO_PASSWORD
from services.tasks.models import CustomerBook, Task
from services.tasks.rules import TIERS
from shared.clock import business_today, utcnow
from shared.db import make_engine, table_of
from tools.databases import database_urls
from tools.devstack import Stack
from tools.results import write_results

RM, TEAM, UNIT = "rm01", "T01", "HQ/BR01/SB01"
CUSTOMERS, TASKS, CONNECTIONS, SECONDS = 2000, 5000, 32, 10
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench_agenda")   # parallel runs on one server: own names
RULES = [("loan_due", "collection"), ("large_outflow", "retention_call"), ("tier_review", "relationship_review"),
         ("maintenance_visit", "maintenance_visit"), ("loan_overdue", "overdue_collection")]


async def seed(url: str) -> None:
    """Straight into the tasks database: the projection and the tasks, as events would have left them."""
    rng, today, now = random.Random(4), business_today(), utcnow()
    books = [{"cif": f"B{n:07d}", "customer_ref": str(uuid.uuid4()), "owner": RM, "owner_team": TEAM,
              "unit_path": UNIT, "government_related": False, "kind": "corporate" if n % 3 else "retail",
              "tier": TIERS[n % len(TIERS)], "birthday": None, "updated_at": now} for n in range(CUSTOMERS)]
    tasks = []
    for n in range(TASKS):
        rule, kind = RULES[n % len(RULES)]
        book = books[n % CUSTOMERS]
        tasks.append({"id": uuid.uuid4(), "rule": rule, "rule_version": 1, "kind": kind, "subject": f"S{n:07d}",
                      "anchor_date": today, "cif": book["cif"], "customer_ref": book["customer_ref"], "assignee": RM,
                      "team": TEAM, "unit_path": UNIT, "due_date": today + timedelta(days=rng.randint(-30, 120)),
                      "priority": 1 + n % 3, "status": "open" if n % 7 else "in_progress",
                      "amount": Decimal(rng.randint(1, 5_000_000)) if n % 4 else None,
                      "params": {"loan_id": f"S{n:07d}", "account_id": f"S{n:07d}", "lead_days": 30},
                      "escalation_level": 0, "tier_rank": TIERS.index(book["tier"]), "risk_rank": rng.choice([1, 4, 9]),
                      "created_at": now, "updated_at": now})
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(table_of(CustomerBook).insert(), books)
        for start in range(0, len(tasks), 1000):
            await conn.execute(table_of(Task).insert(), tasks[start:start + 1000])
    await engine.dispose()


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="bench-agenda-"))
    urls, backend = database_urls(var, DB_PREFIX)
    stack = Stack(var=var, database_urls=urls)
    stack.extra_env.update(UNTHROTTLED)
    try:
        stack.start_all()
        asyncio.run(seed(urls["tasks"]))
        token = httpx.post(stack.url("gateway") + "/api/v1/auth/token",
                           data={"username": RM, "password": DEMO_PASSWORD}).raise_for_status().json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        path = f"/api/v1/me/agenda?date={business_today().isoformat()}"
        first = httpx.get(stack.url("gateway") + path, headers=headers).raise_for_status().json()
        assert len(first["items"]) == 100, len(first["items"])
        rows, load_before = [], os.getloadavg()[0]
        pids = {name: stack.procs[name].pid for name in ("gateway", "tasks")}
        # the default page through the gateway (the figure), the service alone, and a 20-item page: the levers
        for via, page in (("gateway", 100), ("tasks", 100), ("gateway", 20)):
            url = stack.url(via) + path + ("" if page == 100 else f"&limit={page}")
            run_load(url, headers, connections=CONNECTIONS, duration_s=2)   # warm pools and caches
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            result = run_load(url, headers, connections=CONNECTIONS, duration_s=SECONDS)
            answered = max(1.0, result["rps"] * SECONDS)
            cpu = {f"{name}_cpu_us": round((cpu_seconds(pid) - cpu_before[name]) / answered * 1e6)
                   for name, pid in pids.items()}
            rows.append({"via": via, "items": page, "backend": backend, "customers": CUSTOMERS, "open_tasks": TASKS,
                         **result, **cpu})
            print(rows[-1], flush=True)
        notes = (f"GET /api/v1/me/agenda (top 100 of ~{TASKS // 5} due items, ranked and explained) for an RM with "
                 f"{CUSTOMERS} customers and {TASKS} open tasks, {CONNECTIONS} connections × {SECONDS} s, one uvicorn "
                 "worker per service (gateway_cpu_us, tasks_cpu_us: CPU time each process spent per request), "
                 f"all on this machine (os.cpu_count()={os.cpu_count()}). Target p99 ≤ 50 ms "
                 f"through the gateway. Load average before measuring: {load_before:.1f} "
                 "(other work shares the cores).")
        print(write_results("agenda", rows, notes).read_text())
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()

"""`python -m bench.bench_gateway`: the same read endpoint directly on the customer service and through
the gateway, wrk at 32 connections, in one run on one stack; writes bench/results/gateway.{json,md}.

The gateway runs with its normal front door (token check, revocation lookup, rate limiter, metrics,
ETag) — only the limits are raised so the load generator itself is not throttled. Rounds alternate
direct/gateway so drift on a shared machine hits both sides alike, and each run also records the CPU
time the gateway and the service spent per request (from /proc): on a busy machine req/s and p99 move
with the neighbours, CPU per request much less.
"""
import os
import shutil

import httpx

from bench.loadgen import UNTHROTTLED, WrkOutputError, cpu_seconds, run_load
from services.customer.cli.seed import DEMO_PASSWORD
from tools.devstack import ROOT, SERVICES, Stack, wait_http
from tools.results import gateway_summary, write_results

# A cheap read (token check only: the proxy's own cost shows) and a database read (what apps mostly do).
PATHS = {"me": "/api/v1/me", "customers": "/api/v1/customers?limit=20"}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
# Deployment shape: the gateway gets one process per core *it has to itself*. Here it has none: two cores
# carry wrk, the customer service (one process, as in make run) and the gateway. One gateway process per
# service process is the matching shape — its CPU per request is below the service's, so it keeps up —
# while a second worker only adds a fifth runnable process to two cores (more switching, longer tails).
# GATEWAY_WORKERS=2 measures the other shape.
WORKERS = os.environ.get("GATEWAY_WORKERS", "1")
WORKERS_WHY = ("one gateway process for the one service process: the two cores are shared with the service and wrk, "
               "so there is no core for a second worker" if WORKERS == "1" else "GATEWAY_WORKERS set for this run")


def start_stack() -> Stack:
    var = ROOT / "var" / "bench-gateway"
    shutil.rmtree(var, ignore_errors=True)
    stack = Stack(var=var, database_urls={s: f"sqlite+aiosqlite:///{var}/{s}.db" for s in SERVICES})
    stack.extra_env.update(LOG_LEVEL="WARNING")   # both sides log the same way: one access line is a cost
    stack.start_all()
    stack.stop("gateway")
    stack.start_app("gateway", **UNTHROTTLED, WEB_CONCURRENCY=WORKERS)
    wait_http(stack.url("gateway") + "/api/v1/healthz")
    return stack


def seed(stack: Stack) -> dict:
    base = stack.url("gateway") + "/api/v1"
    signed_in = httpx.post(base + "/auth/token", data={"username": "rm01", "password": DEMO_PASSWORD})
    token = signed_in.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for i in range(20):
        httpx.post(base + "/customers", headers=headers,
                   json={"cif": f"CBENCH{i:04d}", "name": "压测客户有限公司", "kind": "corporate"}).raise_for_status()
    return headers


def load(stack: Stack, url: str, headers: dict) -> dict:
    """One wrk run, with the CPU the gateway and the service spent per request meanwhile (µs)."""
    pids = {name: stack.procs[name].pid for name in ("gateway", "customer")}
    for attempt in (1, 2):
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        try:
            result = run_load(url, headers, connections=32, duration_s=DURATION)
            break
        except WrkOutputError:   # wrk now and then prints no latency table on this box; run it again
            if attempt == 2:
                raise
    requests = max(1.0, result["rps"] * result["duration_s"])
    return {**result, **{f"{name}_cpu_us": round((cpu_seconds(pid) - before[name]) / requests * 1e6)
                         for name, pid in pids.items()}}


def main() -> None:
    stack = start_stack()
    try:
        headers = seed(stack)
        rows, notes = [], []
        for endpoint, path in PATHS.items():
            targets = {"direct": stack.url("customer") + path, "gateway": stack.url("gateway") + path}
            for url in targets.values():   # warm both: connection pools, caches, the token cache
                run_load(url, headers, duration_s=2)
            for round_no in range(1, ROUNDS + 1):
                for via, url in targets.items():
                    rows.append({"endpoint": endpoint, "round": round_no, "via": via,
                                 **load(stack, url, headers)})
                    print(rows[-1], flush=True)
            notes.append(gateway_summary(endpoint, path, [r for r in rows if r["endpoint"] == endpoint]))
        notes.append(f"32 connections, {DURATION}s per run, {ROUNDS} rounds alternating, means over rounds; "
                     f"gateway with {WORKERS} worker process(es) ({WORKERS_WHY}), the customer service with one. "
                     f"Machine: {os.cpu_count()} cores shared by wrk, the service and the gateway.")
        text = "\n\n".join(notes)
        written = write_results("gateway", rows, text)
        print(text)
        print(f"results: {written}")
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()

"""Closed-loop HTTP load at N connections, wrk when installed (C, leaves the CPU to the server), else a
Python aiohttp loop. Returns requests/s and latency percentiles; benchmarks compare runs made here."""
import asyncio
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

# Benchmarks measure capacity, so the gateway's per-user/per-IP limits must not answer 429 to wrk.
UNTHROTTLED = dict(RATE_USER_PER_SECOND="1e9", RATE_USER_BURST="1000000000", RATE_IP_PER_SECOND="1e9",
                   RATE_IP_BURST="1000000000", LOG_LEVEL="WARNING")


class WrkOutputError(ValueError):
    """wrk printed no figure where one was expected (it now and then leaves out its latency table)."""


def _found(pattern: str, text: str) -> re.Match:
    match = re.search(pattern, text)
    if match is None:
        raise WrkOutputError(f"no {pattern!r} in wrk's output")
    return match


def _ms(value: str) -> float:
    number, unit = _found(r"^([\d.]+)(us|ms|s)$", value.strip()).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(url: str, headers: dict, connections: int, duration_s: int, threads: int) -> dict:
    args = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration_s}s", "--latency", url]
    for k, v in headers.items():
        args[1:1] = ["-H", f"{k}: {v}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M))  # wrk pads "1.24s "
    if not {"50", "90", "99"} <= pct.keys():
        raise WrkOutputError("no latency table in wrk's output")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"tool": "wrk", "rps": float(_found(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(pct["50"]), "p90_ms": _ms(pct["90"]), "p99_ms": _ms(pct["99"]),
            "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)}


async def _python(url: str, headers: dict, connections: int, duration_s: int) -> dict:
    import aiohttp
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration_s

    async def worker(session):
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with session.get(url, headers=headers) as r:
                await r.read()
                errors += r.status >= 400
            latencies.append((time.perf_counter() - started) * 1000)

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    at = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return {"tool": "python-aiohttp", "rps": len(latencies) / elapsed, "p50_ms": at(0.50), "p90_ms": at(0.90),
            "p99_ms": at(0.99), "errors": errors}


def run_load(url: str, headers: dict | None = None, connections: int = 32, duration_s: int = 10,
             threads: int = 2) -> dict:
    """Load `url` with `connections` concurrent keep-alive connections for `duration_s` seconds."""
    headers = headers or {}
    if shutil.which("wrk"):
        result = _wrk(url, headers, connections, duration_s, threads)
    else:
        result = asyncio.run(_python(url, headers, connections, duration_s))
    return {**result, "connections": connections, "duration_s": duration_s,
            **{k: round(v, 2) for k, v in result.items() if isinstance(v, float)}}


def _processes():
    """(pid, parent pid, name, CPU seconds used so far) of every process; Linux."""
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split("(", 1)[1].rsplit(")", 1)
        except OSError:   # ended while we looked
            continue
        fields = rest.split()   # fields[1] is the parent's pid
        yield stat.parent.name, fields[1], name, (int(fields[11]) + int(fields[12])) / tick


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children (uvicorn workers) have used so far; Linux.
    CPU per request is what a benchmark on a busy machine can still compare: it does not count the
    time a process waited for a core."""
    return sum(cpu for own, parent, _, cpu in _processes() if str(pid) in (own, parent))


def cpu_seconds_named(prefix: str) -> float:
    """CPU time of every process whose name starts with `prefix` (PostgreSQL's backends: "postgres")."""
    return sum(cpu for _, _, name, cpu in _processes() if name.startswith(prefix))

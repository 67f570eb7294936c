"""`python -m bench.bench_tracing`: what tracing costs, off and on, side by side.

Two stacks run at once on this machine, alike but for OTEL_EXPORTER_OTLP_ENDPOINT: "off" has none (the
hooks return at their first line), "on" exports every span over OTLP/HTTP to a sink in a process of its
own that decodes and counts them (a collector's first step). Rounds alternate which stack goes first
(off-on, on-off, …), so drift in the machine's load falls on both alike. Each round measures
1. the RM's agenda through the gateway (bench_agenda's data: gateway + tasks service + SQL spans):
   requests/s, p99, and CPU per request of the gateway and the tasks service;
2. ingest: BATCH core-banking movements into every consumer, until all groups have caught up:
   events/s and CPU per event of the consumers, the services' relays and PostgreSQL.
3. Then the hooks alone, in this process with tracing off: each hook's time per call, times the calls a
   request or an event makes — what "off" costs against code without the hooks.
"""
import asyncio
import itertools
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import timeit
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench.bench_agenda import CONNECTIONS, RM, seed
from bench.loadgen import UNTHROTTLED, cpu_seconds, run_load
from services.customer.cli.seed import DEMO_PASSWORD
from shared import tracing
from shared.clock import business_today
from tools.databases import database_urls
from tools.devstack import Stack, free_port
from tools.results import write_results
from tools.simulator import generate, publish
from tools.watch import caught_up

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 4))
SECONDS = int(os.environ.get("BENCH_SECONDS", 6))
CUSTOMERS, BATCH = 5000, int(os.environ.get("BENCH_EVENTS", 20_000))
MODES = ("off", "on")


def sink(port: int, spans, rejected) -> None:
    """An OTLP/HTTP trace receiver that decodes each export and counts its spans (and the exports it cannot read)."""
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
        ExportTraceServiceResponse,
    )
    answer = ExportTraceServiceResponse().SerializeToString()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                request = ExportTraceServiceRequest.FromString(body)
            except DecodeError:
                with rejected.get_lock():
                    rejected.value += 1
                self.send_response(400)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with spans.get_lock():
                spans.value += sum(len(s.spans) for r in request.resource_spans for s in r.scope_spans)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()


def movements(round_no: int):
    """BATCH movements on the preamble's accounts, different in every round (the same for both stacks)."""
    stream = generate(CUSTOMERS, CUSTOMERS + BATCH, seed=100 + round_no)
    return [(topic, key, json.dumps(event).encode()) for topic, key, event in itertools.islice(stream, CUSTOMERS, None)]


def cpu(stack: Stack, names) -> float:
    return sum(cpu_seconds(stack.procs[n].pid) for n in names)


async def ingest(stack: Stack, events: list) -> tuple[float, float]:
    """(events/s, CPU µs per event of the consumers, the services' outbox relays and the scheduler). Not
    PostgreSQL's: its backends come and go, and a backend that has exited takes its CPU time with it."""
    assert stack.kafka
    ours = stack.procs.keys() - {"broker"}
    before, started = cpu(stack, ours), time.perf_counter()
    await publish(stack.kafka, events)
    await caught_up(stack, timeout=600)
    elapsed = time.perf_counter() - started
    return len(events) / elapsed, (cpu(stack, ours) - before) / len(events) * 1e6


def agenda(stack: Stack, headers: dict) -> dict:
    url = stack.url("gateway") + f"/api/v1/me/agenda?date={business_today().isoformat()}"
    before = {n: cpu_seconds(stack.procs[n].pid) for n in ("gateway", "tasks")}
    result = run_load(url, headers, connections=CONNECTIONS, duration_s=SECONDS)
    done = result["rps"] * SECONDS
    return {**result, **{f"{n}_cpu_us": round((cpu_seconds(stack.procs[n].pid) - before[n]) / done * 1e6)
                         for n in before}}


def hooks_off_ns() -> dict[str, float]:
    """Time per call of each hook with tracing off (this process never sets it up)."""
    assert not tracing.enabled()

    async def app(scope, receive, send):
        return None
    wrapped, scope = tracing.TracingMiddleware(app, "bench"), {"type": "http", "method": "GET", "headers": []}

    def per_call(fn, number=200_000) -> float:
        return min(timeit.repeat(fn, number=number, repeat=9)) / number * 1e9   # the least disturbed of nine

    def through(asgi):
        coro = asgi(scope, None, None)
        with suppress(StopIteration):
            coro.send(None)
    headers, items = [(b"accept", b"*/*")], [object()] * 50
    found = {"middleware (over the bare app)": per_call(lambda: through(wrapped)) - per_call(lambda: through(app)),
             "propagate": per_call(lambda: tracing.propagate(headers)),
             "client_span": per_call(lambda: tracing.client_span("gateway", "GET", "tasks").__enter__()),
             "current_traceparent": per_call(tracing.current_traceparent),
             "publish_span": per_call(lambda: tracing.publish_span("s", "t", "e", None)),
             "by_trace": per_call(lambda: tracing.by_trace(items)),
             "consuming": per_call(lambda: tracing.consuming("s", items).__enter__())}
    return found


def main() -> None:
    spans, rejected = multiprocessing.Value("q", 0), multiprocessing.Value("q", 0)
    port = free_port()
    receiver = multiprocessing.Process(target=sink, args=(port, spans, rejected), daemon=True)
    receiver.start()
    stacks: dict[str, Stack] = {}
    try:
        for mode in MODES:
            var = Path(tempfile.mkdtemp(prefix=f"bench-tracing-{mode}-"))
            urls, backend = database_urls(var, f"bench_tracing_{mode}")
            stack = Stack(var=var, database_urls=urls, extra_env={**UNTHROTTLED})
            if mode == "on":
                stack.extra_env["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://127.0.0.1:{port}"
            stacks[mode] = stack
            stack.start_all()
            asyncio.run(seed(urls["tasks"]))
            assert stack.kafka
            asyncio.run(publish(stack.kafka, itertools.islice(generate(CUSTOMERS, CUSTOMERS), CUSTOMERS)))
            asyncio.run(caught_up(stack, timeout=600))
        headers = {}
        for mode, stack in stacks.items():
            token = httpx.post(stack.url("gateway") + "/api/v1/auth/token", data={"username": RM, "password": DEMO_PASSWORD},
                               timeout=30).raise_for_status().json()["access_token"]
            headers[mode] = {"Authorization": f"Bearer {token}"}
            run_load(stack.url("gateway") + f"/api/v1/me/agenda?date={business_today().isoformat()}", headers[mode],
                     connections=CONNECTIONS, duration_s=2)   # warm pools and caches
        rows = []
        for round_no in range(ROUNDS):
            events = movements(round_no)
            for mode in (MODES if round_no % 2 == 0 else MODES[::-1]):
                load = agenda(stacks[mode], headers[mode])
                rate, cpu_event = asyncio.run(ingest(stacks[mode], events))
                rows.append({"round": round_no + 1, "tracing": mode, "agenda_rps": load["rps"],
                             "agenda_p99_ms": load["p99_ms"], "gateway_cpu_us": load["gateway_cpu_us"],
                             "tasks_cpu_us": load["tasks_cpu_us"], "ingest_events_per_s": round(rate),
                             "stack_cpu_us_per_event": round(cpu_event), "errors": load["errors"]})
                print(rows[-1], flush=True)
    finally:
        for stack in stacks.values():
            stack.stop_all()
        receiver.terminate()
    received = spans.value
    assert received and not rejected.value, f"{received} spans received, {rejected.value} exports undecodable"
    summary = on_against_off(rows)
    hooks = hooks_off_ns()
    per_request = hooks["middleware (over the bare app)"] * 2 + hooks["propagate"] + hooks["client_span"]
    off_cpu = statistics.median(r["gateway_cpu_us"] + r["tasks_cpu_us"] for r in rows if r["tracing"] == "off")
    per_event = hooks["current_traceparent"] + hooks["publish_span"]   # an event stored and relayed by the outbox
    per_poll = hooks["by_trace"] + hooks["consuming"]                   # a consumer's poll, however many events
    off_event = statistics.median(r["stack_cpu_us_per_event"] for r in rows if r["tracing"] == "off")
    rows += summary + [{"round": "hooks off", "tracing": f"{name}: {ns:.0f} ns/call"} for name, ns in hooks.items()]
    notes = (f"{backend}, bundled Tansu broker per stack, both stacks on this machine ({os.cpu_count()} cores, shared), "
             f"{ROUNDS} rounds alternating which goes first; agenda = GET /api/v1/me/agenda through the gateway, "
             f"{CONNECTIONS} connections × {SECONDS} s; ingest = {BATCH} movements on {CUSTOMERS} customers' accounts. "
             f"'on' exports over OTLP/HTTP to a sink process that decoded {received} spans in all. Ratios are on ÷ off, medians of "
             f"the rounds. Hooks off: a request through the gateway passes four (two middlewares, propagate, "
             f"client_span) = {per_request:.0f} ns, {per_request / 1000 / off_cpu:.2%} of its {off_cpu:.0f} µs of "
             f"gateway + tasks CPU; an event stored and relayed passes two (current_traceparent, publish_span) = "
             f"{per_event:.0f} ns, {per_event / 1000 / off_event:.2%} of the {off_event:.0f} µs the stack spends per "
             f"event; a consumer's poll two more (by_trace, consuming) = {per_poll:.0f} ns per poll of up to "
             "KAFKA_MAX_POLL_RECORDS events. All below what any run here can resolve. `make bench` or `python -m bench.bench_tracing`.")
    print(write_results("tracing", rows, notes).read_text())


def on_against_off(rows: list[dict]) -> list[dict]:
    keys = ("agenda_rps", "agenda_p99_ms", "gateway_cpu_us", "tasks_cpu_us", "ingest_events_per_s",
            "stack_cpu_us_per_event")
    median = {mode: {k: statistics.median(r[k] for r in rows if r["tracing"] == mode) for k in keys} for mode in MODES}
    return [{"round": "median", "tracing": mode, **{k: round(v, 1) for k, v in median[mode].items()}} for mode in MODES] + \
        [{"round": "on ÷ off", "tracing": "", **{k: f"{median['on'][k] / median['off'][k]:.2f}x" for k in keys}}]


if __name__ == "__main__":
    main()

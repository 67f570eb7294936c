"""Helpers for fault tests: run a simulated stream into a real stack, wait until every consumer has
caught up, and take a snapshot of every service's final state to compare with a clean run."""
import importlib
import json
import os
import re
import subprocess

import pytest
import sqlalchemy as sa

from shared.dedup import ProcessedEvent
from shared.events import CORE_BANKING_TYPES
from shared.outbox import OutboxMessage
from tests.e2e.conftest import stack_from_async
from tools.devstack import CONSUMERS, Stack
from tools.results import write_results
from tools.simulator import generate, publish
from tools.watch import caught_up, query

FAULT_RESULTS: list[dict] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """The long fault runs (make test-faults) each leave a row: outcome, time, and the exact counts
    the test compared (record_property). The short versions inside `make test` leave none."""
    report = (yield).get_result()
    if report.when == "call" and item.get_closest_marker("faults"):
        FAULT_RESULTS.append({"test": report.nodeid.split("::")[-1], "outcome": report.outcome,
                              "seconds": round(report.duration, 1), **dict(report.user_properties)})


def pytest_sessionfinish(session):
    if FAULT_RESULTS:
        write_results("faults", FAULT_RESULTS, "`make test-faults` against the real services, PostgreSQL and the "
                      "bundled broker on this machine; every row passed only if the final state equals a clean "
                      "run's exactly (counts and balances), with each count here the one the test compared.")


# Where each consumer records the ids of the events it applied: appraisal keeps every event in its
# ledger and dedups there (shared.handlers.deduplicating); the others write (consumer, event id) markers.
RECORD_OF_EVENTS = {"appraisal": "ledger_event"}


async def processed(stack: Stack, service: str, ids: list[str] | None = None) -> int:
    """Events `service`'s consumer has applied (of `ids`, when given)."""
    table = RECORD_OF_EVENTS.get(service, "processed_event")
    if ids is None:
        return (await query(stack, service, f"SELECT count(*) FROM {table}"))[0][0]
    return (await query(stack, service, f"SELECT count(*) FROM {table} WHERE event_id = ANY(:i)", i=ids))[0][0]


@pytest.fixture(scope="session")
def clean_runs(pg_server, tmp_path_factory):
    """clean_run(customers, events) -> (snapshot, processed count per service) of a fault-free,
    single-instance run of the seeded stream; computed once per size and shared by the fault tests."""
    cache: dict[tuple[int, int], tuple[dict, dict]] = {}

    async def clean_run(customers: int, events: int, timeout: float = 120.0) -> tuple[dict, dict]:
        if (customers, events) not in cache:
            tmp = tmp_path_factory.mktemp("clean")
            async with stack_from_async(backend(pg_server), pg_server, tmp, "clean") as stack:
                await publish(stack.kafka, generate(customers, events))
                await caught_up(stack, timeout=timeout)
                cache[customers, events] = (await snapshot(stack),
                                            {s: await processed(stack, s) for s in CONSUMERS})
        return cache[customers, events]

    return clean_run


def assignment(stack: Stack, process: str) -> set[str]:
    """The partitions ("topic:n") a consumer process holds after its latest rebalance (from its log)."""
    path = stack.var / "log" / f"{process}.log"
    latest: set[str] = set()
    for line in path.read_text(errors="replace").splitlines() if path.exists() else ():
        msg = json.loads(line).get("msg", "") if line.startswith("{") else ""
        if msg.startswith("assigned partitions"):
            latest = set(filter(None, msg.removeprefix("assigned partitions").strip().split(",")))
    return latest


def backend(pg_server: str | None) -> str:
    return "postgres" if pg_server else "sqlite"


def other_test_runs() -> list[str]:
    """pytest or benchmark processes on this machine that are not this run (or its parents)."""
    mine, pid = set(), os.getpid()
    while pid > 1:  # this process and its ancestors (make, the shell that called it) are this run
        mine.add(pid)
        pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    out = subprocess.run(["pgrep", "-af", "pytest|bench\\.bench_"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if int(line.split()[0]) not in mine and "pgrep" not in line]


# Columns that are not state the stream builds: a salted password hash differs every run, and a card
# stamp counts writes to key a cache (one batch of fifty bumps it once, five batches of ten five times).
NOT_STATE = {("staff", "password_hash"), ("card_stamp", "seq")}
# uuid4 keys, and request ids (uuid4 hex) that events and audit entries carry
GENERATED_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b",
                          re.IGNORECASE)
CLOCK_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def tables_of(service: str) -> list[sa.Table]:
    """Every table `service` owns, from its models (so a new table is compared without a change here),
    and the backbone tables each service keeps: its outbox and its processed-event markers."""
    models = importlib.import_module(f"services.{service}.models")
    own = [v.__table__ for v in vars(models).values()
           if isinstance(v, type) and v.__module__ == models.__name__ and hasattr(v, "__table__")]
    return [*own, OutboxMessage.__table__, ProcessedEvent.__table__]   # type: ignore[attr-defined]


def compared_columns(table: sa.Table) -> list[sa.Column]:
    """All but clock times and generated keys (an autoincrement or random single-column key)."""
    generated_key = len(table.primary_key.columns) == 1 and isinstance(
        next(iter(table.primary_key.columns)).type, (sa.Integer, sa.Uuid))

    def kept(c: sa.Column) -> bool:
        kind = getattr(c.type, "impl", c.type)
        return not (isinstance(kind, sa.DateTime) or (c.primary_key and generated_key)
                    or (table.name, c.name) in NOT_STATE)
    return [c for c in table.columns if kept(c)]


def comparable(value, column: sa.Column) -> str:
    """A value as text with generated ids and clock times (also inside JSON) replaced by placeholders."""
    if isinstance(column.type, sa.JSON):
        value = json.dumps(json.loads(value) if isinstance(value, str) else value, sort_keys=True, default=str)
    return CLOCK_TIME.sub("<time>", GENERATED_ID.sub("<id>", str(value)))


async def every_table(stack: Stack) -> dict:
    """"service.table" -> its rows (sorted) as comparable text, for every table of every consumer."""
    found = {}
    for service in CONSUMERS:
        for table in tables_of(service):
            columns = compared_columns(table)
            names = ", ".join(f'"{c.name}"' for c in columns)
            rows = await query(stack, service, f'SELECT {names} FROM "{table.name}"')
            found[f"{service}.{table.name}"] = sorted(tuple(comparable(v, c) for v, c in zip(row, columns, strict=True))
                                                      for row in rows)
    return found


async def snapshot(stack: Stack) -> dict:
    """Every service's state with generated ids and clock times left out, so two runs compare equal: the
    parts the tests read by name (tasks, ledger, balances, loans) and every table of every consumer."""
    tasks = await query(stack, "tasks", "SELECT rule, subject, anchor_date, cif, assignee, due_date, status, amount, "
                                        "source_event_id FROM task ORDER BY rule, subject, anchor_date")
    ledger = await query(stack, "appraisal", "SELECT event_id, event_type, subject, business_date FROM ledger_event")
    # Core-banking ids are the simulator's (same in both runs); our own events get fresh ids per run.
    core = sorted(tuple(map(str, r)) for r in ledger if r[1] in CORE_BANKING_TYPES)
    derived = sorted(tuple(map(str, r[1:])) for r in ledger if r[1] not in CORE_BANKING_TYPES)
    deposits = await query(stack, "customer", "SELECT account_id, cif, product, balance, closed_on "
                                              "FROM deposit_account ORDER BY account_id")
    loans = await query(stack, "customer", "SELECT loan_id, outstanding, classification, days_overdue, next_due_date "
                                           "FROM loan_holding ORDER BY loan_id")
    return {"tasks": [tuple(map(str, r)) for r in tasks], "ledger": core, "derived_events": derived,
            "deposits": [tuple(map(str, r)) for r in deposits], "loans": [tuple(map(str, r)) for r in loans],
            **await every_table(stack)}


def garbage_payloads(sent_events: int, every: int) -> set[bytes]:
    return {b'{"garbage": ' + str(n).encode() for n in range(every, sent_events + 1, every)}


def decode(records) -> list[dict]:
    return [json.loads(r.value) for r in records]

"""What `make bench` writes and judges: the results tables and the verdicts in them. The benchmarks
themselves run only under `make bench` (figures from a timed test would be noise on this machine);
these tests keep a broken table writer or verdict from surfacing only after a 17-minute run."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools import results

ROOT = Path(__file__).parents[2]
BENCHES = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))


def test_results_table_has_every_column_in_first_seen_order_and_the_json_keeps_the_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RESULTS", tmp_path)
    rows = [{"phase": "ingest", "events_per_s": 6257}, {"phase": "latency", "p99_ms": 865}]
    path = results.write_results("ingest", rows, notes="one instance of each consumer")
    assert path.read_text().splitlines() == [
        "### ingest", "", "| phase | events_per_s | p99_ms |", "|---|---|---|",
        "| ingest | 6257 |  |", "| latency |  | 865 |", "", "one instance of each consumer"]
    stored = json.loads((tmp_path / "ingest.json").read_text())
    assert (stored["name"], stored["rows"], stored["notes"]) == ("ingest", rows, "one instance of each consumer")


def _gateway_rows(direct_rps, gateway_rps, direct_p99, gateway_p99, errors=0):
    return [{"via": via, "rps": rps, "p99_ms": p99, "errors": errs, "gateway_cpu_us": 100, "customer_cpu_us": 150}
            for via, rps, p99, errs in (("direct", direct_rps, direct_p99, 0),
                                        ("gateway", gateway_rps, gateway_p99, errors))]


@pytest.mark.parametrize("gateway_rps, gateway_p99, verdict", [
    (800, 15.0, "meets the target"),      # exactly 80 % and +5 ms
    (799, 10.0, "MISSES the target"),     # throughput under 80 %
    (1000, 15.1, "MISSES the target"),    # p99 more than 5 ms above direct
])
def test_gateway_verdict_holds_the_80_percent_and_5_ms_target(gateway_rps, gateway_p99, verdict):
    line = results.gateway_summary("me", "/api/v1/me", _gateway_rows(1000, gateway_rps, 10.0, gateway_p99))
    assert f": {verdict} (" in line


def test_gateway_gives_no_verdict_when_the_gateway_answered_with_errors():
    line = results.gateway_summary("me", "/api/v1/me", _gateway_rows(1000, 2000, 10.0, 5.0, errors=3))
    assert "3 errors" in line and "meets" not in line


def test_soak_calls_memory_flat_only_when_the_second_half_grew_under_the_limit():
    limit = results.FLAT_LIMIT_MB
    samples = [(60, {"warming": 100.0, "leaking": 100.0}), (330, {"warming": 100.0 + 2 * limit, "leaking": 101.0}),
               (600, {"warming": 100.5 + 2 * limit, "leaking": 101.0 + limit})]
    flat = {row["process"]: row["flat"] for row in results.memory_table(samples)}
    assert flat == {"warming": "yes", "leaking": "NO"}


@pytest.fixture(scope="module")
def bench_imports() -> dict[str, str]:
    """bench module -> "" when it imports and has a callable main, else why not. Found in a child
    process: the tests do not import bench/ (tests and benchmarks build on tools/, not on each other)."""
    check = ("import importlib, json, sys\nout = {}\nfor name in sys.argv[1:]:\n    try:\n"
             "        main = getattr(importlib.import_module('bench.' + name), 'main', None)\n"
             "        out[name] = '' if callable(main) else 'no callable main'\n"
             "    except Exception as err:\n        out[name] = repr(err)\nprint(json.dumps(out))")
    done = subprocess.run([sys.executable, "-c", check, *BENCHES], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", BENCHES)
def test_every_benchmark_make_bench_runs_imports_and_has_a_main(name, bench_imports):
    assert bench_imports[name] == ""

"""What `make bench` and `make test-faults` leave behind and how they judge it: the results tables
(bench/results/<name>.json and .md) and the verdicts written into them."""
import json
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"
FLAT_LIMIT_MB = 20.0   # a process whose resident memory grew less than this over a soak's second half is flat


def write_results(name: str, rows: list[dict], notes: str = "") -> Path:
    """bench/results/<name>.json and .md: the table docs/performance.md quotes."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    measured_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    (RESULTS / f"{name}.json").write_text(json.dumps({"name": name, "rows": rows, "notes": notes,
                                                      "measured_at": measured_at}, indent=2))
    keys = list(dict.fromkeys(k for row in rows for k in row))
    lines = [f"### {name}", "", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row.get(k, "")) for k in keys) + " |" for row in rows]
    path = RESULTS / f"{name}.md"
    path.write_text("\n".join(lines + ["", notes, ""]))
    return path


def gateway_summary(endpoint: str, path: str, rows: list[dict]) -> str:
    """One endpoint's direct and through-the-gateway rounds, averaged, with the verdict on the target:
    the gateway keeps at least 80 % of direct throughput and adds at most 5 ms to p99."""
    keys = ("rps", "p99_ms", "gateway_cpu_us", "customer_cpu_us")
    mean = {via: {k: statistics.mean(r[k] for r in rows if r["via"] == via) for k in keys}
            for via in ("direct", "gateway")}
    ratio = mean["gateway"]["rps"] / mean["direct"]["rps"]
    extra_p99 = mean["gateway"]["p99_ms"] - mean["direct"]["p99_ms"]
    errors = sum(r["errors"] for r in rows)
    verdict = ("meets" if ratio >= 0.8 and extra_p99 <= 5 else "MISSES") + " the target"
    if errors:   # timeouts and 5xx are quick answers (an open breaker is quicker still): no fair comparison
        verdict = f"{errors} errors (timeouts or 5xx: machine or service overloaded), so no verdict on the target"
    return (f"{endpoint} (GET {path}): direct {mean['direct']['rps']:.0f} req/s p99 {mean['direct']['p99_ms']:.1f} ms; "
            f"gateway {mean['gateway']['rps']:.0f} req/s p99 {mean['gateway']['p99_ms']:.1f} ms; throughput ratio "
            f"{ratio:.0%}, p99 {extra_p99:+.1f} ms: {verdict} (≥ 80 %, ≤ +5 ms). CPU per request: "
            f"service {mean['direct']['customer_cpu_us']:.0f} µs direct, {mean['gateway']['customer_cpu_us']:.0f} µs "
            f"behind the gateway; gateway {mean['gateway']['gateway_cpu_us']:.0f} µs.")


def memory_table(samples: list[tuple[float, dict[str, float]]]) -> list[dict]:
    """Per process, resident memory at the first, middle and last sample, and whether it stayed flat
    (the second half grew less than FLAT_LIMIT_MB: warming up in the first half is not a leak)."""
    first, middle, last = samples[0][1], samples[len(samples) // 2][1], samples[-1][1]
    rows = []
    for name in sorted(first):
        growth = last[name] - middle[name]
        rows.append({"process": name, "rss_start_mb": round(first[name], 1), "rss_mid_mb": round(middle[name], 1),
                     "rss_end_mb": round(last[name], 1), "second_half_growth_mb": round(growth, 1),
                     "flat": "yes" if growth < FLAT_LIMIT_MB else "NO"})
    return rows

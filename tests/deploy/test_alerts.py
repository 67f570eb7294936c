"""The alert rules load in Prometheus and fire on the series they are about (promtool), and the alerts
and the dashboard read only metrics the metrics table names — the list the services export."""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.deploy.rendered import ROOT

PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "rm-workbench.json"
REQUIRED_ALERTS = {"ConsumerLagGrowing", "EventsDeadLettered", "OutboxStuck", "GatewayErrors", "GatewayBreakerOpen"}
PROMQL_WORDS = {"sum", "max", "min", "avg", "by", "without", "rate", "increase", "deriv", "delta", "time",
                "histogram_quantile", "and", "or", "unless", "le", "humanize", "label_values"}


@pytest.fixture
def promtool():
    """CI must check the rules; elsewhere a machine without the package (not root) skips."""
    if not shutil.which("promtool"):
        message = "promtool missing: make test installs Debian's prometheus package when run as root"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)


def _documented_metrics() -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", (PROMETHEUS / "README.md").read_text(), re.M))


def _metrics_in(expr: str) -> set[str]:
    expr = re.sub(r"\{[^}]*\}", "", re.sub(r'"[^"]*"', "", expr))     # label matchers and strings out
    expr = re.sub(r"\[[^\]]*\]", "", expr)                            # ranges out
    names = set(re.findall(r"\b[a-z_][a-z0-9_]*\b", expr)) - PROMQL_WORDS
    names -= {n for n in names if re.search(rf"\b{n}\s*\(", expr) or re.search(rf"by\s*\([^)]*\b{n}\b", expr)}
    return {re.sub(r"_(bucket|sum|count)$", "", n) for n in names}


def _rules() -> list[dict]:
    return [r for g in yaml.safe_load((PROMETHEUS / "alerts.yaml").read_text())["groups"] for r in g["rules"]]


def test_alert_rules_load_in_prometheus(promtool):
    result = subprocess.run(["promtool", "check", "rules", str(PROMETHEUS / "alerts.yaml")], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_alert_fires_on_its_condition_and_not_on_healthy_series(promtool):
    result = subprocess.run(["promtool", "test", "rules", "alerts.test.yaml"], cwd=PROMETHEUS, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    tested = {t["alertname"] for case in yaml.safe_load((PROMETHEUS / "alerts.test.yaml").read_text())["tests"]
              for t in case["alert_rule_test"] if t["exp_alerts"]}
    assert tested == {r["alert"] for r in _rules()}, "an alert without a case where it fires"


def test_the_alerts_the_operators_asked_for_exist():
    assert REQUIRED_ALERTS <= {r["alert"] for r in _rules()}


def test_alerts_and_dashboard_read_only_documented_metrics():
    documented = _documented_metrics()
    assert len(documented) >= 14
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = {r["alert"]: r["expr"] for r in _rules()}
    exprs |= {p["title"]: t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])}
    for where, expr in exprs.items():
        assert _metrics_in(expr) <= documented, f"{where}: {_metrics_in(expr) - documented} not in the metrics table"
    on_dashboard = set().union(*(_metrics_in(t["expr"]) for p in dashboard["panels"] for t in p.get("targets", [])))
    assert documented <= on_dashboard, f"exported but shown nowhere: {documented - on_dashboard}"


def test_metric_extraction_sees_through_promql():
    assert _metrics_in('histogram_quantile(0.95, sum by (consumer, le) (rate(consumer_batch_size_bucket'
                       '{consumer=~"$consumer"}[5m])))') == {"consumer_batch_size"}
    assert _metrics_in("time() - max by (service) (scheduler_last_run_timestamp_seconds) > 900") == {
        "scheduler_last_run_timestamp_seconds"}


def test_dashboard_panels_do_not_overlap_and_use_the_chosen_data_source():
    dashboard = json.loads(DASHBOARD.read_text())
    cells = set()
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        mine = {(grid["x"] + dx, grid["y"] + dy) for dx in range(grid["w"]) for dy in range(grid["h"])}
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])

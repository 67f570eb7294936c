"""The two overlays rendered once per test session, and the questions the deploy tests ask of them."""
import functools
import importlib
from pathlib import Path

from tools.asyncapi import consumer_module
from tools.kustomize import render

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
SERVICES = ("customer", "tasks", "appraisal")
WORKLOAD_KINDS = ("Deployment", "Job", "CronJob")


@functools.cache
def manifests(overlay: str) -> tuple[dict, ...]:
    return tuple(render(K8S / "overlays" / overlay))


def of_kind(overlay: str, kind: str) -> list[dict]:
    return [d for d in manifests(overlay) if d["kind"] == kind]


def named(overlay: str, kind: str, name: str) -> dict:
    found = [d for d in of_kind(overlay, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"{overlay}: expected one {kind} {name}, found {len(found)}"
    return found[0]


def workloads(overlay: str) -> list[dict]:
    return [d for d in manifests(overlay) if d["kind"] in WORKLOAD_KINDS]


def pod_template(workload: dict) -> dict:
    """The pod template of a Deployment or Job, or of the Jobs a CronJob makes."""
    spec = workload["spec"]["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else workload["spec"]
    return spec["template"]


def pod_spec(workload: dict) -> dict:
    return pod_template(workload)["spec"]


def containers(workload: dict) -> list[dict]:
    spec = pod_spec(workload)
    return spec.get("initContainers", []) + spec["containers"]


def service_of(workload: dict) -> str:
    return pod_template(workload)["metadata"]["labels"]["app.kubernetes.io/name"]


def component_of(workload: dict) -> str:
    return pod_template(workload)["metadata"]["labels"]["app.kubernetes.io/component"]


def settings_class(service: str):
    return importlib.import_module(f"services.{service}.config").Settings


def consumer_topics(service: str) -> list[str]:
    """The topics a service's consumer subscribes to, wherever its entry point lives on this branch."""
    return list(consumer_module(service).TOPICS)


def selects(selector: dict, labels: dict) -> bool:
    """A Kubernetes label selector (matchLabels, matchExpressions In/NotIn/Exists) against labels."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        value, present = labels.get(expr["key"]), expr["key"] in labels
        ok = {"In": present and value in expr.get("values", []), "NotIn": value not in expr.get("values", []),
              "Exists": present, "DoesNotExist": not present}[expr["operator"]]
        if not ok:
            return False
    return True

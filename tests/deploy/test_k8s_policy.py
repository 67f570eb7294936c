"""What ops rely on, asserted for every workload of both overlays: probes, resources, a locked-down
security context, an autoscaler (HPA on CPU, or KEDA on the consumer group's lag) and a disruption
budget; topics that survive a broker loss; network policies that let only the right callers in."""
import re

import pytest

from shared.clock import BANK_TZ
from shared.events import ALL_TOPICS, dlq_topic
from tests.deploy.rendered import (
    OVERLAYS,
    ROOT,
    SERVICES,
    component_of,
    consumer_topics,
    containers,
    manifests,
    named,
    of_kind,
    pod_spec,
    pod_template,
    selects,
    service_of,
    settings_class,
    workloads,
)

CLUSTER_SECRETS_FROM_CNPG = re.compile(r"^(?P<service>[a-z]+)-db-app$")


def _deployments(overlay: str) -> list[dict]:
    return of_kind(overlay, "Deployment")


def _port_names(container: dict) -> set[str]:
    return {p["name"] for p in container.get("ports", [])}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_runs_locked_down(overlay):
    for workload in workloads(overlay):
        name, spec = workload["metadata"]["name"], pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] > 0, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name   # nothing here talks to the API server
        for container in containers(workload):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"] and "add" not in security["capabilities"], name
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]) and "memory" in resources["limits"], name
            assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"]), f"{name}: no writable /tmp"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_long_running_process_is_probed_for_readiness_and_liveness(overlay):
    for deployment in _deployments(overlay):
        for container in containers(deployment):
            name = f"{deployment['metadata']['name']}/{container['name']}"
            ready, live = container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"]
            assert (ready["path"], live["path"]) == ("/readyz", "/livez"), name
            assert {ready["port"], live["port"]} <= _port_names(container), f"{name}: probe on an undeclared port"
            # a slow dependency must fail readiness long before liveness restarts the process
            assert (container["livenessProbe"]["failureThreshold"] * container["livenessProbe"]["periodSeconds"]
                    > container["readinessProbe"]["failureThreshold"] * container["readinessProbe"]["periodSeconds"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_scales_by_cpu_or_by_lag_and_keeps_one_pod_through_disruptions(overlay):
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(overlay, "HorizontalPodAutoscaler")}
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(overlay, "ScaledObject")}
    budgets = of_kind(overlay, "PodDisruptionBudget")
    for deployment in _deployments(overlay):
        name, component = deployment["metadata"]["name"], component_of(deployment)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if component == "scheduler":   # one at a time by design: never scaled, never two during a rollout
            assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate"
            assert name not in hpas and name not in scaled
            continue
        assert (name in hpas) != (name in scaled), f"{name}: exactly one autoscaler"
        if component == "api":
            metric = hpas[name]["spec"]["metrics"][0]
            assert hpas[name]["apiVersion"] == "autoscaling/v2" and metric["resource"]["name"] == "cpu"
            assert "replicas" not in deployment["spec"], f"{name}: the HPA owns the replica count"
            assert [b for b in budgets if selects(b["spec"]["selector"], labels)], f"{name}: no PodDisruptionBudget"
        else:
            assert component == "consumer" and name in scaled, name


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_each_consumer_scales_on_its_own_groups_lag_up_to_one_replica_per_partition(overlay, service):
    scaled = named(overlay, "ScaledObject", f"{service}-consumer")
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["consumerGroup"] == settings_class(service)().service_name   # the group it joins
    assert trigger["metadata"]["allowIdleConsumers"] == "false"
    topics = {t["spec"]["topicName"]: t["spec"]["partitions"] for t in of_kind(overlay, "KafkaTopic")}
    assert scaled["spec"]["maxReplicaCount"] == max(topics[t] for t in consumer_topics(service))
    env = named(overlay, "Deployment", f"{service}-consumer")["spec"]["template"]["spec"]["containers"][0]
    assert trigger["metadata"]["bootstrapServersFromEnv"] == "KAFKA_BOOTSTRAP_SERVERS"
    assert any(s["configMapRef"]["name"] == "rm-workbench" for s in env["envFrom"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_and_its_dead_letters_are_declared_as_the_services_would_create_them(overlay):
    config = named(overlay, "ConfigMap", "rm-workbench")["data"]
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind(overlay, "KafkaTopic")}
    assert set(topics) == {name for topic in ALL_TOPICS for name in (topic, dlq_topic(topic))}
    for topic in ALL_TOPICS:
        events, dead = topics[topic], topics[dlq_topic(topic)]
        assert int(dead["config"]["retention.ms"]) > int(events["config"]["retention.ms"]), topic
        for spec in (events, dead):
            assert spec["partitions"] == int(config["TOPIC_PARTITIONS"])
            assert spec["replicas"] == int(config["TOPIC_REPLICATION_FACTOR"])
            assert int(spec["config"]["min.insync.replicas"]) == max(1, spec["replicas"] - 1)


def test_production_topics_survive_the_loss_of_a_broker():
    for topic in of_kind("prod", "KafkaTopic"):
        assert topic["spec"]["replicas"] == 3 and topic["spec"]["config"]["min.insync.replicas"] == "2"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_customer_controls_run_on_the_banks_calendar_never_two_at_once(overlay):
    """Deadlines daily and the call-back draw monthly, in the bank's time zone (the business date the
    commands default to), each a Job that may be retried but never overlaps its previous run."""
    jobs = {c["metadata"]["name"]: c for c in of_kind(overlay, "CronJob")}
    commands = {name: containers(job)[0]["command"][-1] for name, job in jobs.items()}
    assert commands == {"customer-deadlines": "services.customer.cli.deadlines",
                        "customer-callbacks": "services.customer.cli.callbacks"}
    assert jobs["customer-deadlines"]["spec"]["schedule"].split()[2:] == ["*", "*", "*"]   # every day
    assert jobs["customer-callbacks"]["spec"]["schedule"].split()[2:] == ["1", "*", "*"]   # the 1st of each month
    for job in jobs.values():
        assert job["spec"]["timeZone"] == str(BANK_TZ) and job["spec"]["concurrencyPolicy"] == "Forbid"
        assert pod_spec(job)["restartPolicy"] == "OnFailure" and component_of(job) == "cron"
        assert "rm-jwt-private" not in _secrets(job)


def _allowed_peers(overlay: str, pod_labels: dict) -> list[tuple[dict, list]]:
    """The `from` peers of every policy that selects these pods, with the port they open."""
    peers = []
    for policy in of_kind(overlay, "NetworkPolicy"):
        if selects(policy["spec"]["podSelector"], pod_labels):
            for rule in policy["spec"].get("ingress", []):
                peers += [(peer, [p["port"] for p in rule.get("ports", [])]) for peer in rule.get("from", [])]
    return peers


def _namespace(peer: dict) -> str | None:
    return peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_let_only_the_right_callers_in(overlay):
    assert any(p["spec"]["podSelector"] == {} and "ingress" not in p["spec"]
               for p in of_kind(overlay, "NetworkPolicy")), "no default deny"
    for workload in workloads(overlay):
        labels = pod_template(workload)["metadata"]["labels"]
        peers = _allowed_peers(overlay, labels)
        sources = {(_namespace(p), p.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name"))
                   for p, _ in peers}
        component, service = component_of(workload), service_of(workload)
        scraper = ("monitoring", "prometheus")
        if component == "api" and service == "gateway":
            assert sources == {("ingress-nginx", "ingress-nginx"), scraper}
        elif component == "api":
            assert sources == {(None, "gateway"), scraper}
        elif component in ("consumer", "scheduler"):
            assert sources == {scraper} and all(ports == ["metrics"] for _, ports in peers)
        else:
            assert not peers, f"{workload['metadata']['name']} takes connections"


def test_only_the_ingress_reaches_the_gateway_and_nothing_else():
    for ingress in of_kind("prod", "Ingress"):
        backends = {p["backend"]["service"]["name"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
        assert backends == {"gateway"}
        assert ingress["spec"]["tls"], "the Ingress terminates TLS"


def _secrets(workload: dict) -> set[str]:
    names = {v["secret"]["secretName"] for v in pod_spec(workload).get("volumes", []) if "secret" in v}
    for container in containers(workload):
        names |= {e["valueFrom"]["secretKeyRef"]["name"] for e in container.get("env", []) if "valueFrom" in e}
    return names


def test_only_the_customer_service_holds_the_signing_key():
    for workload in workloads("prod"):
        holds = "rm-jwt-private" in _secrets(workload)
        assert holds == (workload["metadata"]["name"] == "customer"), workload["metadata"]["name"]


def test_every_secret_is_made_by_the_database_operator_or_named_in_the_readme():
    clusters = {c["metadata"]["name"] for c in of_kind("prod", "Cluster")}
    readme = (ROOT / "README.md").read_text()
    used = set().union(*(_secrets(w) for w in workloads("prod")))
    used |= {tls["secretName"] for i in of_kind("prod", "Ingress") for tls in i["spec"]["tls"]}
    for secret in used:
        made = CLUSTER_SECRETS_FROM_CNPG.match(secret)
        if made:
            assert f"{made['service']}-db" in clusters, f"prod: no CloudNativePG Cluster writes {secret}"
        assert made or f"`{secret}`" in readme, f"{secret}: neither made by an operator nor documented"
    assert {f"{s}-db" for s in (*SERVICES, "gateway")} == clusters
    assert manifests("dev") and not of_kind("dev", "Cluster")   # dev: databases on an existing server

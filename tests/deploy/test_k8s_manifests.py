"""Both overlays render, every manifest is valid for the Kubernetes API (or, for the operators' custom
resources, for the fields we rely on), every command names a module that exists, every environment
variable is a setting the process reads."""
import copy
import importlib
import importlib.util
import json
import shutil
import subprocess

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.deploy.rendered import K8S, OVERLAYS, ROOT, component_of, containers, manifests, named, service_of, settings_class, workloads
from tools.kustomize import render

KUBERNETES_VERSION = "1.33.0"   # the oldest minor release the platform runs
CUSTOM_SCHEMAS = {"ScaledObject": "scaledobject.json", "KafkaTopic": "kafkatopic.json", "Cluster": "cluster.json"}


def _key(doc: dict) -> tuple:
    return doc["kind"], doc["metadata"].get("namespace"), doc["metadata"]["name"]


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl (with its built-in kustomize) is not installed")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_python_rendering_equals_kubectl_kustomize(overlay):
    real = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True,
                          check=True).stdout
    assert {_key(d): d for d in yaml.safe_load_all(real) if d} == {_key(d): d for d in manifests(overlay)}


def test_rendering_refuses_a_kustomization_field_it_does_not_implement(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonLabels: {team: rm}\n")
    with pytest.raises(ValueError, match="commonLabels"):
        render(tmp_path)


def test_rendering_applies_namespace_image_and_patches_as_kustomize_does(tmp_path):
    base, overlay = tmp_path / "base", tmp_path / "overlay"
    base.mkdir(), overlay.mkdir()
    (base / "kustomization.yaml").write_text("resources: [app.yaml]\n")
    (base / "app.yaml").write_text(
        "kind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{name: c, image: app}]}}}\n"
        "---\nkind: PodDisruptionBudget\nmetadata: {name: a}\nspec: {minAvailable: 1}\n"
        "---\nkind: ClusterRole\nmetadata: {name: r}\n")
    (overlay / "kustomization.yaml").write_text(
        "namespace: ns\nresources: [../base]\nimages: [{name: app, newName: reg/app, newTag: '2'}]\n"
        "patches:\n- target: {kind: PodDisruptionBudget}\n  patch: |-\n"
        "    - {op: remove, path: /spec/minAvailable}\n    - {op: add, path: /spec/maxUnavailable, value: 1}\n")
    deployment, budget, role = render(overlay)
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "reg/app:2"
    assert budget["spec"] == {"maxUnavailable": 1}
    assert deployment["metadata"]["namespace"] == budget["metadata"]["namespace"] == "ns"
    assert "namespace" not in role["metadata"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_manifest_validates_against_its_schema(overlay):
    schemas = {kind: json.loads((K8S / "schemas" / name).read_text()) for kind, name in CUSTOM_SCHEMAS.items()}
    for doc in manifests(overlay):
        if doc["kind"] in schemas:
            jsonschema.validate(doc, schemas[doc["kind"]])
        else:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_schema_check_catches_a_misspelt_field():
    deployment = copy.deepcopy(named("prod", "Deployment", "gateway"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/readyz"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    scaled = copy.deepcopy(named("prod", "ScaledObject", "tasks-consumer"))
    scaled["spec"]["triggers"][0]["metadata"]["consumerGroupp"] = "tasks"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled, json.loads((K8S / "schemas" / "scaledobject.json").read_text()))


def _module(command: list[str]) -> str:
    return command[command.index("-m") + 1] if command[0] == "python" else command[1]


def _compose() -> dict[str, dict]:
    services = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]
    return {name: spec for name, spec in services.items() if "command" in spec}


def _commands() -> list[tuple[str, str]]:
    """(where, module) for every command in either overlay and in the compose file."""
    found = {(f"compose:{name}", _module(spec["command"])) for name, spec in _compose().items()}
    for overlay in OVERLAYS:
        for workload in workloads(overlay):
            for container in containers(workload):
                found.add((f"{workload['metadata']['name']}/{container['name']}", _module(container["command"])))
    return sorted(found)


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module.split(":")[0]) is not None
    except ModuleNotFoundError:
        return False


def _command_params():
    for where, module in _commands():
        yield pytest.param(module, id=f"{where}={module}")


@pytest.mark.parametrize("module", list(_command_params()))
def test_every_command_names_a_module_that_exists(module):
    name, _, attribute = module.partition(":")
    assert _exists(name), f"no module {name}"
    if attribute:   # uvicorn module:app — the object must be there too
        assert hasattr(importlib.import_module(name), attribute), f"{name} has no {attribute}"
    else:           # python -m module — it must run something when started
        assert "__main__" in importlib.util.find_spec(name).loader.get_source(name), f"{name} has no __main__ block"


def test_compose_environment_names_only_settings_of_its_process():
    for name, spec in _compose().items():
        service = _module(spec["command"]).split(".")[1]
        unknown = set(spec.get("environment", {})) - {f.upper() for f in settings_class(service).model_fields}
        assert not unknown, f"compose {name}: {sorted(unknown)} are no setting of {service}"


def test_commands_cover_every_process():
    modules = {module for _, module in _commands()}
    assert {"services.gateway.main:app", "services.gateway.cli.migrate", "services.tasks.cli.scheduler",
            "services.customer.cli.deadlines", "services.customer.cli.callbacks"} <= modules
    for service in ("customer", "tasks", "appraisal"):
        assert {f"services.{service}.main:app", f"services.{service}.cli.consumer",
                f"services.{service}.cli.migrate"} <= modules


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_environment_variable_is_a_setting_of_its_process(overlay):
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in manifests(overlay) if d["kind"] == "ConfigMap"}
    for workload in workloads(overlay):
        settings = {name.upper() for name in settings_class(service_of(workload)).model_fields}
        for container in containers(workload):
            names = {e["name"] for e in container.get("env", [])}
            for source in container.get("envFrom", []):
                names |= set(config_maps[source["configMapRef"]["name"]])
            unknown = names - settings
            assert not unknown, f"{workload['metadata']['name']}: {sorted(unknown)} are no setting of {service_of(workload)}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_environment_values_parse_as_the_settings_they_set(overlay):
    config = named(overlay, "ConfigMap", "rm-workbench")["data"]
    for workload in workloads(overlay):
        for container in containers(workload):
            values = {**config, **{e["name"]: e["value"] for e in container.get("env", []) if "value" in e}}
            settings_class(service_of(workload))(**{k.lower(): v for k, v in values.items()})   # raises if not


def test_health_port_is_set_for_exactly_the_processes_without_an_http_server():
    for workload in workloads("prod"):
        env = {e["name"]: e.get("value") for c in containers(workload) for e in c.get("env", [])}
        has_listener = component_of(workload) in ("consumer", "scheduler")
        assert ("HEALTH_PORT" in env) == has_listener, workload["metadata"]["name"]

"""`python -m tools.kustomize deploy/k8s/overlays/prod`: render a kustomization as `kustomize build` does,
for the part of kustomize this repository uses (resources, namespace, images, JSON 6902 patches with a
kind/name target). Debian has no kustomize package and `make test` must render the overlays on any
machine; where kubectl is installed, tests/deploy hold this rendering equal to `kubectl kustomize`.
Any other kustomization field is refused, so a manifest change cannot silently outgrow it."""
import copy
import sys
from pathlib import Path

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
# Kinds without a namespace among those this repository uses (kustomize knows the whole list).
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass",
                  "PersistentVolume", "PriorityClass", "IngressClass"}
POD_SPEC_PATHS = (("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"))


def render(directory: str | Path) -> list[dict]:
    directory = Path(directory)
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise ValueError(f"{directory}: kustomization fields not rendered here: {sorted(unknown)}")
    docs: list[dict] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        if path.is_dir():
            docs.extend(render(path))
        else:
            docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    for patch in kustomization.get("patches", []):
        matched = [d for d in docs if _matches(d, patch["target"])]
        if not matched:
            raise ValueError(f"{directory}: patch target {patch['target']} matches nothing")
        for doc in matched:
            for op in yaml.safe_load(patch["patch"]):
                _apply(doc, op)
    for image in kustomization.get("images", []):
        for doc in docs:
            for container in _containers(doc):
                _retag(container, image)
    if "namespace" in kustomization:
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = kustomization["namespace"]
    return docs


def _matches(doc: dict, target: dict) -> bool:
    unknown = set(target) - {"kind", "name"}
    if unknown:
        raise ValueError(f"patch target fields not rendered here: {sorted(unknown)}")
    return (target.get("kind", doc["kind"]) == doc["kind"]
            and target.get("name", doc["metadata"]["name"]) == doc["metadata"]["name"])


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]


def _apply(doc: dict, op: dict) -> None:
    """One RFC 6902 operation (add, replace, remove): what the overlays use."""
    *parents, last = _pointer(op["path"])
    node = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if op["op"] == "add":
            node.insert(index, copy.deepcopy(op["value"]))
        elif op["op"] == "replace":
            node[index] = copy.deepcopy(op["value"])
        elif op["op"] == "remove":
            del node[index]
        else:
            raise ValueError(f"patch op not rendered here: {op['op']}")
        return
    if op["op"] in ("replace", "remove") and last not in node:
        raise ValueError(f"patch {op['op']} of a missing path: {op['path']}")
    if op["op"] in ("add", "replace"):
        node[last] = copy.deepcopy(op["value"])
    elif op["op"] == "remove":
        del node[last]
    else:
        raise ValueError(f"patch op not rendered here: {op['op']}")


def _containers(doc: dict) -> list[dict]:
    found = []
    for path in POD_SPEC_PATHS:
        node = doc
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            found += node.get("initContainers", []) + node.get("containers", [])
    return found


def _retag(container: dict, image: dict) -> None:
    name, _, _ = container["image"].partition("@")
    repository, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "")
    if repository != image["name"]:
        return
    repository = image.get("newName", repository)
    if "digest" in image:
        container["image"] = f"{repository}@{image['digest']}"
    else:
        tag = image.get("newTag", tag)
        container["image"] = f"{repository}:{tag}" if tag else repository


if __name__ == "__main__":
    print(yaml.safe_dump_all(render(sys.argv[1]), sort_keys=False), end="")

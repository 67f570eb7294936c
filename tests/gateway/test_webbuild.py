"""make run's web build: it builds only when web/dist is missing or older than a source, and without
Node.js it says how to get the app instead of failing the stack."""
import os

import pytest

from tools import webbuild


@pytest.fixture
def web(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.ts").write_text("app")
    (tmp_path / "package-lock.json").write_text("{}")
    monkeypatch.setattr(webbuild, "WEB", tmp_path)
    monkeypatch.setattr(webbuild, "DIST", tmp_path / "dist" / "index.html")
    return tmp_path


def build(web, at: float) -> None:
    (web / "dist").mkdir(exist_ok=True)
    (web / "dist" / "index.html").write_text("<html>")
    os.utime(web / "dist" / "index.html", (at, at))


def test_a_missing_build_or_a_source_newer_than_it_is_stale_and_a_fresh_one_is_not(web):
    assert webbuild.stale()
    source_time = (web / "src" / "main.ts").stat().st_mtime
    build(web, source_time + 10)
    assert not webbuild.stale()
    build(web, source_time - 10)
    assert webbuild.stale()


def test_without_node_the_stack_starts_and_is_told_how_to_get_the_app(web, monkeypatch):
    monkeypatch.setattr(webbuild.shutil, "which", lambda name: None)
    assert "npm ci" in webbuild.ensure_built()


def test_a_fresh_build_runs_nothing(web, monkeypatch):
    build(web, (web / "src" / "main.ts").stat().st_mtime + 10)
    monkeypatch.setattr(webbuild.subprocess, "run", lambda *a, **k: pytest.fail("built although fresh"))
    assert webbuild.ensure_built() is None


def test_a_stale_build_installs_packages_once_then_builds(web, monkeypatch):
    ran = []
    monkeypatch.setattr(webbuild.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(webbuild.subprocess, "run", lambda step, cwd: ran.append(step[1]) or type("R", (), {"returncode": 0}))
    assert webbuild.ensure_built() is None
    assert ran == ["ci", "run"]
    ran.clear()
    (web / "node_modules").mkdir()
    (web / "node_modules" / ".package-lock.json").write_text("{}")   # installed after the lock file changed
    webbuild.ensure_built()
    assert ran == ["run"]

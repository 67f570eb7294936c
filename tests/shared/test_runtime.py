"""settle_gc: servers freeze their startup heap and collect the young generation less often."""
import subprocess
import sys

from tools.devstack import ROOT

PROBE = ("import gc; from shared.runtime import settle_gc; before = gc.get_threshold(); settle_gc(); "
         "print(before[0], gc.get_threshold()[0], gc.get_freeze_count() > 0)")


def _probe(gc_tune: str) -> list[str]:
    env = {"PYTHONPATH": str(ROOT), "GC_TUNE": gc_tune}
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          check=True).stdout.split()


def test_settled_server_freezes_its_startup_objects_and_raises_the_young_threshold():
    default, settled, frozen = _probe("1")
    assert int(settled) > int(default) and frozen == "True"


def test_gc_tune_off_leaves_the_interpreter_defaults():
    default, settled, frozen = _probe("0")
    assert settled == default and frozen == "False"

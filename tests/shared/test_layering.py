"""Outside the services, code depends downwards only: tests/ and bench/ both build on tools/ and
shared/, and neither imports the other (nor does tools/ or shared/ import either)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FORBIDDEN = {"bench": {"tests"}, "tests": {"bench"}, "tools": {"tests", "bench"}, "shared": {"tests", "bench"}}


def imported_packages(source: str) -> set[str]:
    """The top-level packages a module imports anywhere in it (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_import_finder_sees_top_level_and_deferred_imports():
    source = "import bench.loadgen\ndef f():\n    from tests.faults.conftest import caught_up\n"
    assert imported_packages(source) == {"bench", "tests"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_a_package_above_or_beside_it(package):
    offenders = {str(path.relative_to(ROOT)): sorted(imported_packages(path.read_text()) & FORBIDDEN[package])
                 for path in sorted((ROOT / package).rglob("*.py"))}
    assert {path: pkgs for path, pkgs in offenders.items() if pkgs} == {}

"""`python -m tools.problems [--check]`: write each service's `problems.py`, the problem answers (4xx) each
operation can give, read from the code: the route's endpoint and dependencies and every function of the
project they call, transitively, for `Problem(<status>, …)`, `problem_response(request, <status>, …)` and
`HTTPException(<status>)`. shared.problem_docs documents them in the OpenAPI with the problem schema;
tests/shared/test_problem_docs.py fails when a route raises a status its registry does not hold.

What every operation answers whatever the route does (422 for a bad query or text, 409/422 for an
Idempotency-Key on POST; 413/429/503 at the gateway) is added in one place, not read here.
"""
import ast
import importlib
import inspect
import sys
import textwrap
from pathlib import Path
from types import FunctionType, ModuleType

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from shared.app import operation_id

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {"customer": "app", "tasks": "app", "appraisal": "app", "gateway": "api"}   # the FastAPI app of each
PROJECT = ("services.", "shared.")
RAISERS = {"Problem": 0, "HTTPException": 0, "StarletteHTTPException": 0, "problem_response": 1}
# answered by a middleware for every request of its kind (shared.problem_docs adds those), not per route
NOT_FOLLOWED = {"shared.idempotency.record_with_commit"}


def _statuses(expr: ast.AST) -> set[int]:
    """Every literal HTTP error status in an expression (`422 if staff is None else 403` gives both)."""
    return {n.value for n in ast.walk(expr) if isinstance(n, ast.Constant) and isinstance(n.value, int)
            and not isinstance(n.value, bool) and 400 <= n.value < 600}


def _callee_name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _resolve(fn: FunctionType, call: ast.Call, project: tuple[str, ...]):
    """The project function a call names, where it can be known without running: `f(…)`, `module.f(…)`,
    `Class.f(…)`; methods of instances are not followed."""
    scope = {**fn.__globals__, **(inspect.getclosurevars(fn).nonlocals if fn.__closure__ else {})}
    f = call.func
    if isinstance(f, ast.Name):
        target = scope.get(f.id)
    elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
        owner = scope.get(f.value.id)
        target = getattr(owner, f.attr, None) if isinstance(owner, (ModuleType, type)) else None
    else:
        return None
    target = inspect.unwrap(target) if callable(target) else None
    if isinstance(target, FunctionType) and target.__module__.startswith(project):
        return target
    return None


class Reader:
    """Raised statuses per function, each function read once."""

    def __init__(self, project: tuple[str, ...] = PROJECT):
        self.seen: dict[FunctionType, set[int]] = {}
        self.project = project   # the modules whose functions are followed

    def raised(self, fn: FunctionType) -> set[int]:
        fn = inspect.unwrap(fn)
        if fn in self.seen:
            return self.seen[fn]
        self.seen[fn] = set()   # a recursive call adds nothing new
        if f"{fn.__module__}.{fn.__qualname__}" in NOT_FOLLOWED:
            return set()
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        except (OSError, TypeError):
            return set()
        found: set[int] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _callee_name(node)
            if name in RAISERS:
                position = RAISERS[name]
                status = node.args[position] if len(node.args) > position else next(
                    (k.value for k in node.keywords if k.arg in ("status", "status_code")), None)
                found |= _statuses(status) if status is not None else set()
            elif (callee := _resolve(fn, node, self.project)) is not None:
                found |= self.raised(callee)
        self.seen[fn] = found
        return found


def _calls(dependant: Dependant):
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def operations(app, reader: Reader | None = None) -> dict[str, list[int]]:
    """operationId -> the error statuses its route and dependencies raise, sorted."""
    reader = reader or Reader()
    found: dict[str, list[int]] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        statuses: set[int] = set()
        for call in _calls(route.dependant):
            fn = getattr(call, "__func__", call)   # a bound method's function
            if isinstance(fn, FunctionType):
                statuses |= reader.raised(fn)
        found[operation_id(route)] = sorted(statuses)
    return found


def render(service: str, found: dict[str, list[int]]) -> str:
    lines = [f'"""The problem answers each {service} operation can give (by operationId), read from the code by',
             "`python -m tools.problems`: do not edit by hand; tests/shared/test_problem_docs.py checks it",
             'against what the routes raise."""',
             "ANSWERS: dict[str, tuple[int, ...]] = {"]
    lines += [f'    "{op}": ({", ".join(map(str, statuses))}{"," if len(statuses) == 1 else ""}),'
              for op, statuses in sorted(found.items())]
    return "\n".join(lines + ["}", ""])


def registry_path(service: str) -> Path:
    return ROOT / "services" / service / "problems.py"


def main(argv: list[str]) -> int:
    stale = []
    for service, attribute in SERVICES.items():
        app = getattr(importlib.import_module(f"services.{service}.main"), attribute)
        text = render(service, operations(app))
        path = registry_path(service)
        if "--check" in argv:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text)
    if stale:
        print("stale, run `python -m tools.problems`:", ", ".join(stale))
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

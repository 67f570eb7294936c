"""Every problem answer an operation can give is in the OpenAPI with the problem schema: the registry
each service documents (its problems.py) is what the routes raise, read from their code, and the merged
document carries each status for each operation."""
import importlib

from fastapi import APIRouter, FastAPI

from shared.app import with_problems
from shared.errors import Problem
from tests.gateway.test_openapi import merged
from tools import problems


def test_each_services_registry_holds_exactly_what_its_routes_raise():
    for service, attribute in problems.SERVICES.items():
        app = getattr(importlib.import_module(f"services.{service}.main"), attribute)
        registry = importlib.import_module(f"services.{service}.problems").ANSWERS
        found = {op: tuple(statuses) for op, statuses in problems.operations(app).items()}
        missing = {op: sorted(set(found[op]) - set(registry.get(op, ()))) for op in found
                   if set(found[op]) - set(registry.get(op, ()))}
        assert not missing, f"{service} raises undocumented statuses {missing}: run `python -m tools.problems`"
        assert found == registry, f"services/{service}/problems.py is stale: run `python -m tools.problems`"


def test_the_merged_document_gives_each_operation_its_problem_answers_with_the_problem_schema():
    doc = merged()
    registries = {}
    for service in problems.SERVICES:
        registries.update(importlib.import_module(f"services.{service}.problems").ANSWERS)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            expected = set(registries[op["operationId"]]) | {422} | ({409} if method == "post" else set())
            for status in expected:
                answer = op["responses"].get(str(status))
                assert answer, f"{method.upper()} {path} does not document {status}"
                assert answer["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}, (method, path, status)
    paths = doc["paths"]
    assert "404" in paths["/api/v1/customers/{customer_id}"]["get"]["responses"]
    assert "409" in paths["/api/v1/customers"]["post"]["responses"]
    assert {"412", "428"} <= set(paths["/api/v1/customers/{customer_id}"]["patch"]["responses"])
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def _shelve(book_id: str):
    if book_id == "gone":
        raise Problem(410, "gone")
    return _check_shelf(book_id)


def _check_shelf(book_id: str):
    if book_id == "taken":
        raise Problem(409 if book_id else 423, "taken")


def test_a_status_raised_two_calls_deep_is_found_and_documented():
    router = APIRouter(tags=["books"])

    @router.post("/books/{book_id}")
    async def shelve(book_id: str):
        return _shelve(book_id)

    app = FastAPI(generate_unique_id_function=lambda route: f"{route.tags[0]}-{route.name}")
    app.include_router(router)
    found = problems.operations(app, problems.Reader(project=("tests.",)))
    assert found == {"books-shelve": [409, 410, 423]}
    with_problems(app, {op: tuple(s) for op, s in found.items()})
    responses = app.openapi()["paths"]["/books/{book_id}"]["post"]["responses"]
    assert {"409", "410", "422", "423"} <= set(responses)

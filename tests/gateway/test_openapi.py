"""The merged OpenAPI document: valid, every operation id unique, gateway conventions declared."""
from openapi_spec_validator import validate

from services.appraisal.main import app as appraisal_app
from services.customer.main import app as customer_app
from services.gateway import openapi
from services.gateway.main import api as gateway_app
from services.tasks.main import app as tasks_app


def merged() -> dict:
    return openapi.merge(openapi.gateway_doc(gateway_app), {
        "customer": customer_app.openapi(), "tasks": tasks_app.openapi(), "appraisal": appraisal_app.openapi()})


def test_merged_document_validates_with_unique_operation_ids():
    doc = merged()
    validate(doc)
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert {"me-my_home", "customers-create_customer", "agenda-my_agenda"} <= set(ids)


def test_every_post_declares_idempotency_key_and_every_operation_the_gateway_answers():
    doc = merged()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "post":
                assert "Idempotency-Key" in [p["name"] for p in op["parameters"]], path
            assert {"413", "429", "503"} <= set(op["responses"]), (method, path)


def test_home_is_declared_as_needing_the_bearer_token():
    op = merged()["paths"]["/api/v1/me/home"]["get"]
    assert op["security"] and op["responses"]["200"]["content"]["application/json"]["schema"]


def test_the_composed_360_is_documented_as_the_gateways_with_its_open_tasks_and_its_404():
    doc = merged()
    op = doc["paths"]["/api/v1/customers/{customer_id}/overview"]["get"]
    assert op["operationId"] == "customers-customer_overview" and op["security"] and "404" in op["responses"]
    [customer_part, tasks_part] = op["responses"]["200"]["content"]["application/json"]["schema"]["allOf"]
    assert customer_part["$ref"].rsplit("/", 1)[1] in doc["components"]["schemas"]
    assert "open_tasks" in tasks_part["required"]


def test_the_gateway_keeps_its_own_templated_routes_and_forwards_the_rest():
    from services.gateway.frontdoor import gateway_route
    template = "/api/v1/customers/{customer_id}/overview"
    assert gateway_route("/api/v1/customers/4f1c/overview") == template
    assert gateway_route("/api/v1/me/home") == "/api/v1/me/home"
    for forwarded in ("/api/v1/customers/4f1c", "/api/v1/customers/4f1c/overview/x", "/api/v1/customers/a/b/overview",
                      "/api/v1/customers/4f1c/overviews"):
        assert gateway_route(forwarded) is None, forwarded


def _typed(schema: dict, schemas: dict) -> bool:
    """A schema a client generator turns into a type, not `unknown` / `Record<string, unknown>`."""
    if "$ref" in schema:
        return _typed(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas) if schema["$ref"] else False
    if any(k in schema for k in ("anyOf", "oneOf", "allOf")):
        return all(_typed(s, schemas) for k in ("anyOf", "oneOf", "allOf") for s in schema.get(k, []))
    if schema.get("type") == "array":
        return _typed(schema.get("items") or {}, schemas)
    if schema.get("type") == "object":
        extra = schema.get("additionalProperties")
        return bool(schema.get("properties")) or (isinstance(extra, dict) and _typed(extra, schemas))
    return "type" in schema or "enum" in schema or "const" in schema


def test_every_2xx_answer_with_a_body_has_a_typed_schema():
    doc = merged()
    schemas = doc["components"]["schemas"]
    untyped = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                bodies = answer.get("content", {})
                if not bodies or not all(_typed(b.get("schema") or {}, schemas) for b in bodies.values()):
                    untyped.append(f"{method.upper()} {path} {status}")
    assert not untyped, untyped

"""The problem answers in each service's OpenAPI: per operation, what its route raises (the service's
`problems.py`, written by `python -m tools.problems`) and what every operation of its kind answers (422 for
a bad query or text; on POST 409/422 for an Idempotency-Key in flight or reused), each with the
problem+json schema — so a generated client knows a 404 or a 412 is coming, not only a 200."""
from typing import Any

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_CONTENT = {"application/problem+json": {"schema": PROBLEM_REF}}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title", "status"], "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string", "description": "for a person, in the Accept-Language (zh-CN by default)"},
        "code": {"type": "string", "description": "for a program: the stable reason code"},
        "errors": {"type": "array", "description": "the refused fields, each with why", "items": {
            "type": "object", "required": ["reason"],
            "properties": {"field": {"type": ["string", "null"]}, "reason": {"type": "string"}}}}}}
MEANINGS = {
    400: "bad request",
    401: "not signed in, or the session has ended (WWW-Authenticate: Bearer)",
    403: "signed in, but the role may not do this",
    404: "not found, or outside the caller's scope (existence is private)",
    409: "conflicts with the current state (or the same Idempotency-Key is still in flight)",
    412: "If-Match names a version someone has changed since: read it again",
    413: "request body too large",
    422: "invalid input: `errors` names each field and why",
    428: "If-Match is required: send the ETag you read",
    429: "rate limited; see Retry-After",
    503: "unavailable; see Retry-After",
}
EVERY = (422,)            # the query guard and the text guard answer every operation
ON_POST = (409, 422)      # the Idempotency-Key middleware


def statuses_of(method: str, raised: tuple[int, ...]) -> set[int]:
    return {*raised, *EVERY, *(ON_POST if method == "post" else ())}


def document(doc: dict, answers: dict[str, tuple[int, ...]]) -> dict:
    """Adds (in place) each operation's problem answers to an OpenAPI document, replacing FastAPI's
    generic 422 (our 422 is a problem too)."""
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for item in doc.get("paths", {}).values():
        for method, op in item.items():
            responses = op.setdefault("responses", {})
            for status in sorted(statuses_of(method, answers.get(op.get("operationId", ""), ()))):
                responses[str(status)] = {"description": MEANINGS.get(status, "problem"), "content": PROBLEM_CONTENT}
    for unused in ("HTTPValidationError", "ValidationError"):   # FastAPI's 422 body, which we never send
        doc["components"]["schemas"].pop(unused, None)
    return doc

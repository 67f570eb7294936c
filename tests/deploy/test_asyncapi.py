"""docs/asyncapi.yaml is what the code says (regenerated and compared), a valid AsyncAPI 3.0 document
(checked against the specification's own JSON Schema, shipped here: asyncapi-3.0.0.schema.json is
schemas/3.0.0-without-$id.json of the npm package @asyncapi/specs 6.11.1, Apache-2.0), and its message
schemas agree with the validator the consumers run: what one accepts, the other accepts."""
import copy
import itertools
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from shared.events import ALL_TOPICS, EVENT_TYPES, InvalidEvent, dlq_topic, parse_event
from tools import asyncapi, simulator

SPEC_SCHEMA = Path(__file__).with_name("asyncapi-3.0.0.schema.json")


@pytest.fixture(scope="module")
def doc() -> dict:
    return yaml.safe_load(asyncapi.DOCUMENT.read_text())


def test_committed_document_is_what_the_code_generates():
    assert asyncapi.DOCUMENT.read_text() == asyncapi.render(), "stale: run python -m tools.asyncapi and commit"


def test_document_is_valid_asyncapi_3(doc):
    validator = jsonschema.Draft7Validator(json.loads(SPEC_SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in validator.iter_errors(doc)]
    assert not errors, errors[:5]
    broken = copy.deepcopy(doc)
    broken["operations"]["tasks.receive.corebanking.loans"]["action"] = "consume"   # 3.0 says send | receive
    assert list(validator.iter_errors(broken)), "the specification's schema let a wrong action through"


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(doc: dict, ref: str):
    node = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_reference_resolves(doc):
    for ref in set(_refs(doc)):
        assert ref.startswith("#/"), ref
        _resolve(doc, ref)   # KeyError names the dangling one


def test_every_topic_its_dead_letters_and_every_event_type_are_documented(doc):
    assert set(doc["channels"]) == {name for t in ALL_TOPICS for name in (t, dlq_topic(t))}
    assert {t for t, _ in EVENT_TYPES} | {"deadLetter"} == set(doc["components"]["messages"])
    for topic in ALL_TOPICS:
        assert "#/components/messages/deadLetter" in str(doc["channels"][dlq_topic(topic)]["messages"])


def test_dead_letter_headers_are_the_ones_the_consumers_write(doc):
    headers = doc["components"]["schemas"]["DeadLetterHeaders"]
    source = "".join(p.read_text() for p in (asyncapi.ROOT / "shared").rglob("*.py"))
    for name in headers["required"]:
        assert f'("{name}",' in source, f"no consumer writes the header {name}"
    assert set(headers["required"]) == set(asyncapi.DLQ_HEADERS)


def test_each_consumer_group_is_documented_with_the_topics_it_reads(doc):
    for service in asyncapi.SERVICES:
        module = asyncapi.consumer_module(service)
        documented = {op["channel"]["$ref"].rsplit("/", 1)[1] for name, op in doc["operations"].items()
                      if name.startswith(f"{service}.receive.")}
        assert documented == set(module.TOPICS)
        for topic in module.TOPICS:
            assert f"{service}.send.{dlq_topic(topic)}" in doc["operations"]


def _validator(doc: dict, event_type: str):
    ref = doc["components"]["messages"][event_type]["payload"]["$ref"]
    return jsonschema.Draft202012Validator({**doc, "$ref": ref}, format_checker=jsonschema.FormatChecker())


def test_core_banking_events_the_simulator_sends_match_their_documented_schema(doc):
    for _topic, _key, event in itertools.islice(simulator.generate(customers=30, events=400), 430):
        _validator(doc, event["type"]).validate(event)
        parse_event(json.dumps(event))   # and the consumers accept them: both sides agree


def _example(doc: dict, schema: dict):
    """A value the schema accepts, built from its first choices (enough for these flat event schemas)."""
    if "$ref" in schema:
        return _example(doc, _resolve(doc, schema["$ref"]))
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return _example(doc, next(s for s in schema["anyOf"] if s.get("type") != "null"))
    kind = schema.get("type")
    if kind == "object":
        return {name: _example(doc, sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(doc, schema.get("items", {"type": "string"}))]
    if kind == "string":
        formats = {"date": "2026-12-01", "date-time": "2026-12-01T08:00:00Z"}
        if "pattern" in schema:
            return "1200000.00" if re.fullmatch(schema["pattern"], "1200000.00") else "C0001"
        return formats.get(schema.get("format"), "C0001")
    return {"integer": 1, "boolean": False, "number": 1}[kind]


@pytest.mark.parametrize("event_type", sorted({t for t, _ in EVENT_TYPES}))
def test_an_event_built_from_its_documented_schema_is_accepted_by_the_consumers(doc, event_type):
    ref = doc["components"]["messages"][event_type]["payload"]["$ref"]
    event = _example(doc, _resolve(doc, ref))
    _validator(doc, event_type).validate(event)
    envelope, _ = parse_event(json.dumps(event))
    assert envelope.type == event_type


def test_money_as_a_json_number_is_refused_by_the_schema_and_by_the_consumers(doc):
    _topic, _key, event = next(e for e in simulator.generate(customers=5, events=50) if e[2]["type"] == "deposit.changed")
    event = copy.deepcopy(event)
    event["data"]["amount"] = 1200.5
    assert list(_validator(doc, "deposit.changed").iter_errors(event))
    with pytest.raises(InvalidEvent):
        parse_event(json.dumps(event))

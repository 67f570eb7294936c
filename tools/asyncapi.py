"""`python -m tools.asyncapi [--check]`: write docs/asyncapi.yaml, the AsyncAPI 3.0 document of every topic
the workbench consumes and produces, from the code itself.

Message schemas are the JSON Schemas of the pydantic models the consumers validate with (shared.events);
who consumes what is each consumer's TOPICS and handler table; who produces what is every
outbox call in services/ (read from the source, so a new event cannot be published
undocumented); topic settings are the Strimzi KafkaTopics of deploy/k8s. `--check` exits 1
when the committed document differs from what the code says now.
"""
import ast
import importlib
import sys
from pathlib import Path
from typing import Literal

import yaml
from pydantic import create_model
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from shared import events

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "docs" / "asyncapi.yaml"
SERVICES = ("customer", "tasks", "appraisal")
MONEY = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,2})?$",
         "description": "money: a decimal string with at most 2 decimals (a JSON number is refused)"}
DLQ_HEADERS = {
    "dlq-reason": "why the message was refused: the schema error, the unknown type or version, or the handler error",
    "original-topic": "the topic it was read from",
    "original-partition": "its partition there (decimal)",
    "original-offset": "its offset there (decimal)",
    "consumer": "the consumer group that refused it",
}
KAFKA_BINDING = "0.5.0"
# contract.md: which core-banking topic carries which family of types
CORE_BANKING_TOPIC_OF = {"loan": events.LOANS_TOPIC, "deposit": events.DEPOSITS_TOPIC, "fee": events.FEES_TOPIC}


class _ContractSchema(GenerateJsonSchema):
    """Every Decimal of an event is money, which travels as a string (contract.md)."""

    def decimal_schema(self, schema):
        return dict(MONEY)


def consumer_module(service: str):
    """A service's consumer entry point, wherever it lives (services.X.cli.consumer or services.X.consumer)."""
    for name in (f"services.{service}.cli.consumer", f"services.{service}.consumer"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name not in (name, name.rpartition(".")[0]):
                raise
    raise ModuleNotFoundError(f"no consumer module for {service}")


def _topic_constants() -> dict[str, str]:
    return {name: value for name, value in vars(events).items() if name.endswith("_TOPIC")}


# Where the topic and the event type stand among the arguments of the outbox's two entry points.
_OUTBOX_CALLS = {"record_event": (1, 2), "outbox_row": (0, 1)}


def _called(node: ast.Call) -> str | None:
    return getattr(node.func, "id", getattr(node.func, "attr", None))


def published() -> dict[str, dict[str, set[str]]]:
    """{service: {topic: {event types}}} from the outbox calls in services/: record_event / outbox_row with
    a topic constant and a literal type, or a service's own wrapper that passes its type parameter on to
    one of them (the customer service's publish())."""
    constants, found = _topic_constants(), {}
    trees = {path: ast.parse(path.read_text()) for path in sorted((ROOT / "services").rglob("*.py"))}
    service_of = {path: path.relative_to(ROOT / "services").parts[0] for path in trees}
    wrappers: dict[tuple[str, str], tuple[str, int]] = {}   # (service, function) -> (topic, type's position)
    for path, tree in trees.items():
        for func in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            params = [a.arg for a in func.args.args]
            for call in (n for n in ast.walk(func) if isinstance(n, ast.Call) and _called(n) in _OUTBOX_CALLS):
                topic_at, type_at = _OUTBOX_CALLS[_called(call)]
                topic, kind = call.args[topic_at:topic_at + 1], call.args[type_at:type_at + 1]
                if topic and isinstance(topic[0], ast.Name) and topic[0].id in constants and kind \
                        and isinstance(kind[0], ast.Name) and kind[0].id in params:
                    wrappers[(service_of[path], func.name)] = (constants[topic[0].id], params.index(kind[0].id))
    for path, tree in trees.items():
        service = service_of[path]
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            if _called(call) in _OUTBOX_CALLS:
                topic_at, type_at = _OUTBOX_CALLS[_called(call)]
                if len(call.args) > type_at and isinstance(call.args[topic_at], ast.Name) \
                        and isinstance(call.args[type_at], ast.Constant):
                    topic = constants[call.args[topic_at].id]
                    found.setdefault(service, {}).setdefault(topic, set()).add(call.args[type_at].value)
            elif (service, _called(call)) in wrappers:
                topic, type_at = wrappers[(service, _called(call))]
                if len(call.args) > type_at and isinstance(call.args[type_at], ast.Constant):
                    found.setdefault(service, {}).setdefault(topic, set()).add(call.args[type_at].value)
    return found


def consumed() -> dict[str, dict[str, set[str]]]:
    """{reader: {topic: {event types it applies}}}: each service's consumer group, and the HTTP apps (gateway
    and services, `<name>-api`) that follow revocations on their own, without a group."""
    topic_of = _topic_of_type()
    groups = {}
    for service in SERVICES:
        module = consumer_module(service)
        handled = set(module.HANDLERS)
        groups[service] = {topic: {t for t in handled if topic_of.get(t) == topic} for topic in module.TOPICS}
    for follower in ("gateway", *SERVICES):   # every token-checking HTTP app: shared/revocation.py, no group
        groups[f"{follower}-api"] = {events.CUSTOMER_TOPIC: {"session.revoked", "staff.changed"}}
    return groups


def _topic_of_type() -> dict[str, str]:
    topic_of = {t: CORE_BANKING_TOPIC_OF[t.split(".")[0]] for t in events.CORE_BANKING_TYPES}
    for topics in published().values():
        for topic, types in topics.items():
            topic_of.update(dict.fromkeys(types, topic))
    unpublished = {t for t, _ in events.EVENT_TYPES} - set(topic_of)
    if unpublished:
        raise SystemExit(f"no record_event/outbox_row call publishes {sorted(unpublished)}: say where they go")
    return topic_of


def _topic_settings() -> dict[str, dict]:
    docs = yaml.safe_load_all((ROOT / "deploy" / "k8s" / "base" / "kafka-topics.yaml").read_text())
    return {d["spec"]["topicName"]: d["spec"] for d in docs if d}


def _schemas() -> tuple[dict, dict[str, str]]:
    """Component schemas: one `<Model>Event` (envelope + typed data) per event type, their parts shared."""
    typed = {key: create_model(f"{model.__name__}Event", __base__=events.Envelope, type=(Literal[key[0]], ...),
                               data=(model, ...)) for key, model in events.EVENT_TYPES.items()}
    refs, defs = models_json_schema([(m, "validation") for m in typed.values()], schema_generator=_ContractSchema,
                                    ref_template="#/components/schemas/{model}")
    names = {key[0]: refs[(m, "validation")]["$ref"].rsplit("/", 1)[1] for key, m in typed.items()}
    return defs["$defs"], names


def _channel_binding(spec: dict) -> dict:
    config = spec.get("config", {})
    return {"kafka": {"topic": spec["topicName"], "partitions": spec["partitions"], "replicas": spec["replicas"],
                      "topicConfiguration": {"cleanup.policy": config.get("cleanup.policy", "delete").split(","),
                                             "retention.ms": int(config["retention.ms"])},
                      "bindingVersion": KAFKA_BINDING}}


def document() -> dict:
    schemas, schema_of = _schemas()
    topic_of, settings = _topic_of_type(), _topic_settings()
    messages = {t: {"name": t, "title": t, "summary": (events.EVENT_TYPES[(t, 1)].__doc__ or "").strip() or None,
                    "contentType": "application/json",
                    "headers": {"$ref": "#/components/schemas/EventHeaders"},
                    "payload": {"$ref": f"#/components/schemas/{schema_of[t]}"},
                    "bindings": {"kafka": {"key": {"type": "string", "description": "the envelope's subject "
                                                   "(a CIF for customer events): one key keeps its order"},
                                           "bindingVersion": KAFKA_BINDING}}}
                for t in sorted(topic_of)}
    for message in messages.values():
        if message["summary"] is None:
            del message["summary"]
    messages["deadLetter"] = {
        "name": "deadLetter", "title": "A refused message",
        "summary": "The original message, byte for byte, with why it was refused and where it came from.",
        "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
        "payload": {"description": "the original value unchanged: possibly not JSON at all"},
    }
    schemas["EventHeaders"] = {"type": "object", "properties": {"x-request-id": {
        "type": "string", "description": "the API request that caused the event, when one did"}}}
    schemas["DeadLetterHeaders"] = {"type": "object", "required": sorted(DLQ_HEADERS),
                                    "properties": {h: {"type": "string", "description": d}
                                                   for h, d in DLQ_HEADERS.items()}}
    channels, operations = {}, {}
    for topic in events.ALL_TOPICS:
        types = sorted(t for t, where in topic_of.items() if where == topic)
        channels[topic] = {"address": topic, "description": f"Events {', '.join(types)}.",
                           "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in types},
                           "bindings": _channel_binding(settings[topic])}
        dlq = events.dlq_topic(topic)
        channels[dlq] = {"address": dlq, "description": f"Messages of {topic} a consumer refused; kept longer.",
                         "messages": {"deadLetter": {"$ref": "#/components/messages/deadLetter"}},
                         "bindings": _channel_binding(settings[dlq])}
    core_banking: dict[str, set[str]] = {}
    for event_type in events.CORE_BANKING_TYPES:
        core_banking.setdefault(topic_of[event_type], set()).add(event_type)
    producers = {"core-banking": core_banking, **published()}
    for who, topics in producers.items():
        for topic, types in sorted(topics.items()):
            operations[f"{who}.send.{topic}"] = _operation("send", topic, sorted(types), f"{who} publishes")
    for group, topics in consumed().items():
        for topic, types in sorted(topics.items()):
            op = _operation("receive", topic, sorted(types), f"{group} applies")
            if not group.endswith("-api"):
                op["bindings"] = {"kafka": {"groupId": {"type": "string", "enum": [group]},
                                            "bindingVersion": KAFKA_BINDING}}
                dlq = events.dlq_topic(topic)
                operations[f"{group}.send.{dlq}"] = _operation("send", dlq, ["deadLetter"],
                                                               f"{group} dead-letters what it refuses from {topic}")
            operations[f"{group}.receive.{topic}"] = op
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "RM workbench events (客户经理工作平台)", "version": "1",
                 "description": "Every Kafka topic the workbench consumes and produces. Generated by "
                                "`python -m tools.asyncapi` from shared/events.py, the consumers and the "
                                "outbox calls; do not edit by hand. Money is a decimal string; an event "
                                "a consumer refuses goes to <topic>.dlq with the headers of DeadLetterHeaders."},
        "defaultContentType": "application/json",
        "servers": {"kafka": {"host": "rm-kafka-kafka-bootstrap.kafka:9092", "protocol": "kafka",
                              "description": "KAFKA_BOOTSTRAP_SERVERS of the deployment"}},
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def _operation(action: str, topic: str, types: list[str], summary: str) -> dict:
    return {"action": action, "summary": summary, "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{t}"} for t in types]}


def render() -> str:
    header = "# Generated by `python -m tools.asyncapi` — do not edit; tests/deploy fail when it is stale.\n"
    return header + yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=110)


if __name__ == "__main__":
    text = render()
    if sys.argv[1:] == ["--check"]:
        stale = not DOCUMENT.exists() or DOCUMENT.read_text() != text
        print(f"{DOCUMENT} is {'stale: run python -m tools.asyncapi' if stale else 'current'}")
        sys.exit(1 if stale else 0)
    DOCUMENT.parent.mkdir(exist_ok=True)
    DOCUMENT.write_text(text)
    print(f"wrote {DOCUMENT}")

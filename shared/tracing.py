"""OpenTelemetry traces across HTTP and Kafka: one trace from an API write, or a core-banking event, to
every effect.

The gateway takes the caller's W3C `traceparent` or starts one, and passes it to the service; a service
stores the current one with each outbox row; the relay sends it as the `traceparent` Kafka header from a
producer span; a consumer continues that trace (its span a child of, and linked to, the producing one),
so the events its handlers write carry it on. SQL statements are spans too.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test passes an exporter): then no SDK is set up, the
API's tracer is a no-op, and every hook below returns at its first line.
"""
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.trace import Link, Span, SpanKind

_enabled = False
_provider: Any = None   # this module's own TracerProvider (not the global one): shutdown() really turns it off
TRACE_HEADERS = (b"traceparent", b"tracestate")


def enabled() -> bool:
    return _enabled


def setup(service: str, exporter: Any = None) -> bool:
    """Export this process's spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; as JSON lines
    into OTEL_TRACES_DIR (one file per process: the end-to-end trace test reads them); or to `exporter`
    (tests in one process). Otherwise nothing is imported or installed. Returns whether tracing is on."""
    global _enabled, _provider
    endpoint, directory = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"), os.environ.get("OTEL_TRACES_DIR")
    if _enabled or not (exporter or endpoint or directory):
        return _enabled
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    _provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service)}))
    if exporter is not None:
        _provider.add_span_processor(SimpleSpanProcessor(exporter))
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))   # endpoint, headers: OTEL_* variables
    if directory:
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter
        out = open(os.path.join(directory, f"{service}-{os.getpid()}.jsonl"), "a", buffering=1)   # open while the process lives
        _provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(
            out=out, formatter=lambda span: span.to_json(indent=None) + "\n")))
    _enabled = True
    return True


def shutdown() -> None:
    """Flush what is buffered and turn tracing off (at process end; tests, after theirs)."""
    global _enabled, _provider
    if _provider is not None:
        _provider.shutdown()
    _enabled, _provider = False, None


def tracer(service: str) -> trace.Tracer:
    """Spans are named by the service that made them (their instrumentation scope)."""
    return _provider.get_tracer(service) if _provider is not None else trace.get_tracer(service)


def instrument_engine(engine, service: str) -> None:
    """A span per SQL statement (its text, never its values) under whatever span is current."""
    if not _enabled:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    usage = get_meter(__name__).create_up_down_counter("db.client.connections.usage")
    EngineTracer(tracer(service), engine.sync_engine, usage)


def current_traceparent() -> str | None:
    """The current span's W3C traceparent (stored with an outbox row), None when tracing is off."""
    if not _enabled:
        return None
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


def propagate(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Headers for a call to a service: the current trace in place of the caller's (left as sent when off)."""
    if not _enabled:
        return headers
    carrier: dict[str, str] = {}
    inject(carrier)
    return [*((k, v) for k, v in headers if k not in TRACE_HEADERS),
            *((k.encode("latin-1"), v.encode("latin-1")) for k, v in carrier.items())]


def client_span(service: str, method: str, upstream: str):
    """The gateway's call to a service, as a CLIENT span (a no-op context when off)."""
    if not _enabled:
        return nullcontext()
    return tracer(service).start_as_current_span(f"{method} {upstream}", kind=SpanKind.CLIENT,
                                                 attributes={"http.request.method": method, "peer.service": upstream})


class TracingMiddleware:
    """A SERVER span per HTTP request, continuing the caller's `traceparent` when it sends one. Named after
    the route template once routing has found it (a raw path would make a span name per customer)."""

    def __init__(self, app, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope, receive, send):
        if not _enabled or scope["type"] != "http":
            return await self.app(scope, receive, send)
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"] if k in TRACE_HEADERS}
        status = 500

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with tracer(self.service).start_as_current_span(scope["method"], context=extract(carrier),
                                                        kind=SpanKind.SERVER) as span:
            try:
                await self.app(scope, receive, send_status)
            finally:
                route = _route_of(scope)
                span.update_name(f"{scope['method']} {route}" if route else scope["method"])
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(trace.StatusCode.ERROR)


def _route_of(scope) -> str | None:
    """The route template the request matched: FastAPI's full one (prefix included; `route.path` lacks the
    prefix of an included router), else the gateway's bounded label set by its front door."""
    from shared.logging import route_var

    matched = (scope.get("fastapi") or {}).get("effective_route_context")
    return getattr(matched, "path", None) or getattr(scope.get("route"), "path", None) or route_var.get()


def record_traceparent(record) -> str | None:
    """The `traceparent` header of a Kafka record (None for core banking's, which carry none)."""
    for key, value in getattr(record, "headers", None) or ():
        if key == "traceparent":
            return value.decode("latin-1")
    return None


def publish_span(service: str, topic: str, event_type: str, stored: str | None) -> Span | None:
    """A PRODUCER span for one outbox row, child of the request (or event) that wrote it; the caller ends it
    once the broker has the row and sends `header_of(span)`. None when off."""
    if not _enabled:
        return None
    parent = extract({"traceparent": stored}) if stored else None
    return tracer(service).start_span(f"{topic} publish", context=parent, kind=SpanKind.PRODUCER,
                                      attributes={"messaging.destination.name": topic, "rm.event_type": event_type})


def header_of(span: Span) -> bytes:
    carrier: dict[str, str] = {}
    inject(carrier, context=trace.set_span_in_context(span))
    return carrier["traceparent"].encode("latin-1")


def by_trace(items: Sequence) -> Sequence[Sequence]:
    """A run of consumed items split where the producing trace changes, so each part's span (and the
    events its handler writes) belongs to its own trace. The whole run when off: handlers are set-based,
    a part is just a smaller batch."""
    if not _enabled or len(items) < 2:
        return [items]
    parts: list[list] = []
    last: object = ()
    for item in items:
        trace_id = _trace_id(record_traceparent(item.record))
        if trace_id != last:
            parts.append([])
            last = trace_id
        parts[-1].append(item)
    return parts


def _trace_id(traceparent: str | None) -> str | None:
    return traceparent.split("-")[1] if traceparent and traceparent.count("-") == 3 else None


@contextmanager
def consuming(service: str, items: Sequence) -> Iterator[None]:
    """A CONSUMER span over handling `items` (one part of `by_trace`): a child of the first producer's span
    and linked to each, so the trace goes on into whatever the handler writes. Nothing when off."""
    if not _enabled:
        yield
        return
    contexts = [trace.get_current_span(extract({"traceparent": tp})).get_span_context()
                for tp in (record_traceparent(i.record) for i in items) if tp]
    parent = trace.set_span_in_context(trace.NonRecordingSpan(contexts[0])) if contexts else otel_context.Context()
    topic, event_types = getattr(items[0].record, "topic", None) or "-", sorted({i.envelope.type for i in items})
    with tracer(service).start_as_current_span(f"{topic} process", context=parent, kind=SpanKind.CONSUMER,
                                               links=[Link(c) for c in contexts],
                                               attributes={"messaging.destination.name": topic, "rm.event_types": event_types,
                                                           "messaging.batch.message_count": len(items)}):
        yield

"""Prometheus metrics of the gateway, served on their own port (METRICS_PORT, scraped inside the
cluster), never on the public API port; and the route label every request is counted under.

A label value is a route template the services declare in their OpenAPI documents (or the gateway's
own path), else the fixed "unmatched": a label taken from the raw path would let anyone, signed in or
not, create a new series per request and grow the gateway's memory and /metrics without bound.
"""
import re
from collections.abc import Iterable
from functools import lru_cache

from prometheus_client import Counter, Gauge, Histogram

from services.gateway.routing import LONGEST_CACHED

REQUEST_SECONDS = Histogram("gateway_request_seconds", "Latency of requests answered by the gateway",
                            ["method", "route"],
                            buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
RESPONSES = Counter("gateway_responses_total", "Responses by route and status", ["method", "route", "status"])
UPSTREAM_ERRORS = Counter("gateway_upstream_errors_total",
                          "Upstream calls that failed: connect, timeout, 5xx, or refused by an open breaker",
                          ["service", "kind"])
BREAKER_OPEN = Gauge("gateway_breaker_open", "1 while the breaker to that service is open (or probing), else 0",
                     ["service"])
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PARAM = re.compile(r"\{([^}:]+)(:path)?\}")
_templates: dict[int, list[tuple[re.Pattern, str]]] = {}   # by segment count; fixed segments first


def learn_routes(templates: Iterable[str]) -> None:
    """The route templates requests are labelled by (the paths of the services' OpenAPI documents)."""
    by_depth: dict[int, list[tuple[re.Pattern, str]]] = {}
    for template in sorted(set(templates), key=lambda t: (t.count("{"), t)):   # /customers/claim before /{id}
        pattern = _PARAM.sub(lambda m: ".+" if m.group(2) else "[^/]+", re.escape(template).replace(r"\{", "{")
                             .replace(r"\}", "}"))
        depth = -1 if ":path}" in template else template.count("/")
        by_depth.setdefault(depth, []).append((re.compile(pattern + r"\Z"), template))
    global _templates
    _templates = by_depth
    _matching_template.cache_clear()


def route_label(path: str, own: bool) -> str:
    """A bounded label: the gateway's own path, the template that matches, or "unmatched"."""
    if own:
        return path
    return _matching_template(path) if len(path) <= LONGEST_CACHED else _matching_template.__wrapped__(path)


@lru_cache(maxsize=4096)   # apps ask for the same few paths over and over; the regexes run once per path
def _matching_template(path: str) -> str:
    for pattern, template in (*_templates.get(path.count("/"), ()), *_templates.get(-1, ())):
        if pattern.match(path):
            return template
    return UNMATCHED

_children: dict[tuple[str, str, int], tuple] = {}   # bounded: methods x route labels x statuses


def observe(method: str, route: str, status: int, seconds: float) -> None:
    """Every request passes here: the labelled children are looked up once, not on every observe."""
    method = method if method in METHODS else "OTHER"   # a parser may pass any token as a method
    children = _children.get((method, route, status))
    if children is None:
        children = _children[(method, route, status)] = (REQUEST_SECONDS.labels(method, route),
                                                         RESPONSES.labels(method, route, str(status)))
    children[0].observe(seconds)
    children[1].inc()

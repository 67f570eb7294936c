"""Prometheus metrics of the gateway, served at /metrics (scraped inside the cluster, not by the apps)."""
import re
from functools import lru_cache

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.responses import Response

REQUEST_SECONDS = Histogram("gateway_request_seconds", "Latency of requests answered by the gateway",
                            ["method", "route"],
                            buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
RESPONSES = Counter("gateway_responses_total", "Responses by route and status", ["method", "route", "status"])
UPSTREAM_ERRORS = Counter("gateway_upstream_errors_total",
                          "Upstream calls that failed: connect, timeout, 5xx, or refused by an open breaker",
                          ["service", "kind"])
API = "/api/v1"
_ID = re.compile(r"/[^/]*\d[^/]*")   # a segment with a digit is an id (uuid, CIF, username like rm01)


@lru_cache(maxsize=4096)   # apps ask for the same few paths over and over; the regex runs once per path
def route_label(path: str, known: bool) -> str:
    """A bounded label: ids folded to {id}; paths nobody serves share one label."""
    if not known:
        return "unmatched"
    if path.startswith(API):
        return API + _ID.sub("/{id}", path[len(API):])
    return path


_children: dict[tuple[str, str, int], tuple] = {}   # bounded: methods x route labels x statuses


def observe(method: str, route: str, status: int, seconds: float) -> None:
    """Every request passes here: the labelled children are looked up once, not on every observe."""
    children = _children.get((method, route, status))
    if children is None:
        children = _children[(method, route, status)] = (REQUEST_SECONDS.labels(method, route),
                                                         RESPONSES.labels(method, route, str(status)))
    children[0].observe(seconds)
    children[1].inc()


def exposition() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

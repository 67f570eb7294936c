"""The gateway's metric labels: route templates from the services' documents, never a caller's raw path."""
import random
import string

from prometheus_client import REGISTRY

from services.gateway import metrics

TEMPLATES = ["/api/v1/customers", "/api/v1/customers/claim", "/api/v1/customers/{customer_id}",
             "/api/v1/customers/{customer_id}/contacts/{contact_id}", "/api/v1/appraisal/scorecards/{username}"]


def series_count() -> int:
    return sum(len(metric.samples) for metric in REGISTRY.collect() if metric.name.startswith("gateway_"))


def test_a_path_is_labelled_by_the_template_it_matches_with_fixed_segments_before_parameters():
    metrics.learn_routes(TEMPLATES)
    assert metrics.route_label("/api/v1/customers", False) == "/api/v1/customers"
    assert metrics.route_label("/api/v1/customers/claim", False) == "/api/v1/customers/claim"
    assert metrics.route_label("/api/v1/customers/C0042", False) == "/api/v1/customers/{customer_id}"
    assert metrics.route_label("/api/v1/customers/C1/contacts/7", False) == \
        "/api/v1/customers/{customer_id}/contacts/{contact_id}"
    assert metrics.route_label("/api/v1/customers/C1/nothing", False) == "unmatched"
    assert metrics.route_label("/api/v1/me/home", True) == "/api/v1/me/home"


def test_a_thousand_requests_to_new_random_paths_add_no_series():
    metrics.learn_routes(TEMPLATES)
    for path in ("/api/v1/appraisal/scorecards/warmup", "/api/v1/appraisal/x/warmup"):
        metrics.observe("GET", metrics.route_label(path, False), 401, 0.001)
    before = series_count()
    for _ in range(1000):
        name = "".join(random.choices(string.ascii_letters, k=2000))
        for path in (f"/api/v1/appraisal/scorecards/{name}", f"/api/v1/appraisal/{name}/x", f"/{name}"):
            metrics.observe(random.choice(["GET", name[:8]]), metrics.route_label(path, False), 401, 0.001)
    assert series_count() - before <= 40   # at most one new method label ("OTHER") per route and bucket
    assert metrics._matching_template.cache_info().currsize < 100   # long paths are not kept either

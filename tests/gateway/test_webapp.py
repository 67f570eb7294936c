"""The gateway serves the built web app at / and leaves /api/ and /metrics to the API."""
import re
from pathlib import Path

import httpx
import pytest
from starlette.responses import PlainTextResponse

from services.gateway.webapp import APP_ROUTES, WebApp

INDEX = "<!doctype html><script type=module src=/assets/index-abc123.js></script>"
SCRIPT = "console.log('app');" * 100


async def api(scope, receive, send):
    await PlainTextResponse(f"api {scope['path']}")(scope, receive, send)


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text(SCRIPT)
    (tmp_path / "manifest.webmanifest").write_text('{"name": "app"}')
    (tmp_path.parent / "secret.txt").write_text("not for the web")
    return tmp_path


def client(dist) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=WebApp(api, dist)), base_url="http://app")


async def test_hashed_assets_are_immutable_and_index_is_revalidated(dist):
    async with client(dist) as c:
        asset = await c.get("/assets/index-abc123.js")
        index = await c.get("/")
    assert asset.text == SCRIPT and "immutable" in asset.headers["cache-control"]
    assert asset.headers["content-type"].startswith("text/javascript")
    assert index.text == INDEX and index.headers["cache-control"] == "no-cache"


async def test_the_page_may_load_and_call_only_its_own_origin(dist):
    async with client(dist) as c:
        csp = (await c.get("/")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["connect-src"] == "'self'"
    assert "unsafe" not in csp and "http" not in csp


async def test_app_routes_fall_back_to_index_and_other_paths_go_to_the_api(dist):
    async with client(dist) as c:
        route = await c.get("/customers/5f0c")
        missing = await c.get("/assets/gone-000.js")
        unknown = await c.get("/etc")
    assert route.status_code == 200 and route.text == INDEX
    assert missing.text == "api /assets/gone-000.js" and unknown.text == "api /etc"


def test_every_route_of_the_app_is_answered_with_the_app():
    router = (Path(__file__).resolve().parents[2] / "web" / "src" / "router.ts").read_text()
    firsts = {p.split("/")[1] for p in re.findall(r"path: '(/[^']*)'", router) if not p.startswith("/:")}
    assert firsts and firsts <= APP_ROUTES


async def test_api_and_metrics_pass_through_to_the_api(dist):
    async with client(dist) as c:
        assert (await c.get("/api/v1/me")).text == "api /api/v1/me"
        assert (await c.get("/metrics")).text == "api /metrics"
        assert (await c.post("/customers")).text == "api /customers"   # only GET/HEAD are the app's


def test_nothing_outside_dist_is_served(dist):
    # called with the raw path: an HTTP client would normalise the dots away before sending
    assert WebApp(api, dist).answer("/../secret.txt", {}) is None
    status, _, body = WebApp(api, dist).answer("/customers/../../secret.txt", {})
    assert b"not for the web" not in body


async def test_compressed_when_asked_and_a_matching_etag_is_not_sent_again(dist):
    async with client(dist) as c:
        zipped = await c.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
        again = await c.get("/assets/index-abc123.js", headers={"If-None-Match": zipped.headers["etag"]})
    assert zipped.headers["content-encoding"] == "gzip" and int(zipped.headers["content-length"]) < len(SCRIPT)
    assert zipped.text == SCRIPT   # httpx decodes: what the browser gets is the file
    assert again.status_code == 304 and again.content == b""


async def test_without_a_build_the_root_says_how_to_get_the_app(tmp_path):
    async with client(tmp_path / "none") as c:
        r = await c.get("/")
        api_answer = await c.get("/api/v1/me")
    assert r.status_code == 503 and "npm ci" in r.text
    assert api_answer.text == "api /api/v1/me"

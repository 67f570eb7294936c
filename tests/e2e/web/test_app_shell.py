"""The app as delivered: its typed client matches the running API, its first load fits the phone budget,
it installs as a PWA, and it revalidates answers with their ETags instead of downloading them again."""
import gzip
import json
import subprocess

import httpx
import pytest

from tests.e2e.web.conftest import ROOT

pytestmark = pytest.mark.e2e
WEB = ROOT / "web"
FIRST_LOAD_BUDGET = 250 * 1024   # bytes of JavaScript, gzipped, to show home after signing in


async def test_the_checked_in_client_matches_the_running_openapi(api, tmp_path):
    doc = httpx.get(api.stack.url("gateway") + "/api/v1/openapi.json", timeout=30).json()
    (tmp_path / "openapi.json").write_text(json.dumps(doc))
    subprocess.run([str(WEB / "node_modules" / ".bin" / "openapi-typescript"), str(tmp_path / "openapi.json"),
                    "-o", str(tmp_path / "schema.d.ts")], cwd=WEB, check=True, capture_output=True)
    assert (tmp_path / "schema.d.ts").read_text() == (WEB / "src" / "api" / "schema.d.ts").read_text(), \
        "web/src/api/schema.d.ts is stale: with a stack running, `cd web && OPENAPI_URL=http://…/api/v1/openapi.json npm run gen`"


async def test_first_load_fits_the_budget_installs_as_a_pwa_and_reuses_etags(api, phones):
    rm = await phones()
    page = rm.page
    scripts: list[bytes] = []
    home_statuses: list[int] = []

    async def seen(response):
        if response.request.resource_type == "script" and response.ok:
            scripts.append(await response.body())
        if response.url.endswith("/api/v1/me/home"):
            home_statuses.append(response.status)
    page.on("response", seen)
    await rm.sign_in("rm01")
    await page.locator("[data-test=scorecard-summary]").wait_for()
    first_load = sum(len(gzip.compress(body, 9)) for body in scripts)
    assert 0 < first_load <= FIRST_LOAD_BUDGET, f"{first_load} bytes of gzipped JavaScript"

    manifest = httpx.get(api.stack.url("gateway") + "/manifest.webmanifest").json()
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert httpx.get(api.stack.url("gateway") + icon["src"]).status_code == 200
    assert (await page.evaluate("() => navigator.serviceWorker.ready.then(r => r.active.scriptURL)")).endswith("/sw.js")

    await page.reload()
    await page.locator("[data-test=scorecard-summary]").wait_for()
    await page.wait_for_load_state("networkidle")
    assert home_statuses[0] == 200 and 304 in home_statuses[1:], home_statuses

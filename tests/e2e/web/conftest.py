"""The web app in a real browser: Debian's Chromium driven by Playwright, against one running stack.

Each test gets a phone of its own (a fresh browser context: 390×844, zh-CN, Asia/Shanghai) that fails
the test on any console error it was not told to expect, and checks each screen it photographs with
axe-core (no serious or critical violations). Screenshots land in web/screenshots/ for the README.
"""
import shutil
from functools import partial
from pathlib import Path

import pytest

from services.customer.cli.seed import DEMO_PASSWORD
from tests.e2e.conftest import Api, running_stack

ROOT = Path(__file__).resolve().parents[3]
DIST = ROOT / "web" / "dist" / "index.html"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "web" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERIOUS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ') + ' (' + n.failureSummary + ')').join(', ')}`)"""


@pytest.fixture(scope="package")
def api(pg_server, tmp_path_factory):
    missing = [what for what, path in (("web/dist (make web)", DIST), ("axe-core (npm ci)", AXE),
                                       ("chromium", Path(CHROMIUM))) if not path.exists()]
    if missing:
        pytest.skip("browser tests need " + ", ".join(missing))
    with running_stack("postgres", pg_server, tmp_path_factory.mktemp("web"), "web") as stack:
        yield Api(stack)


@pytest.fixture(scope="package")
async def browser(api):
    from playwright.async_api import async_playwright
    async with async_playwright() as playwright:
        # launch() gives the browser a fresh temporary profile (user data dir) of its own
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        await chromium.close()


class Phone:
    def __init__(self, page, api: Api):
        self.page, self.api = page, api
        self.errors: list[str] = []

    async def sign_in(self, username: str) -> None:
        await self.page.goto("/sign-in")
        await self.page.fill("input[name=username]", username)
        await self.page.fill("input[name=password]", DEMO_PASSWORD)
        await self.page.click("button[type=submit]")
        await self.page.wait_for_url("**/home")

    async def shot(self, name: str) -> None:
        """Photograph the screen as it is and hold it to axe-core."""
        await self.check(name, photograph=True)

    async def check(self, name: str, photograph: bool = False) -> None:
        """Hold the screen, once settled, to axe-core (and photograph it for the README)."""
        await self.page.wait_for_load_state("networkidle")
        # transitions (a button enabling, a dialog opening) judged half-way would fail on a blend of colours
        await self.page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
        if photograph:
            SHOTS.mkdir(exist_ok=True)
            await self.page.screenshot(path=str(SHOTS / f"{name}.png"))
        violations = await self.page.evaluate(SERIOUS)
        assert not violations, f"accessibility violations on {name}:\n" + "\n".join(violations)


def _console_error(device: Phone, expected: tuple[str, ...], message) -> None:
    if message.type == "error" and not any(e in message.text for e in expected):
        device.errors.append(message.text)


def _post_without_key(device: Phone, request) -> None:
    if request.method == "POST" and "/api/" in request.url and not request.headers.get("idempotency-key"):
        device.errors.append(f"POST without key: {request.url}")


@pytest.fixture
async def phones(browser, api):
    """phone(username, expect_errors=(...)): a signed-in phone; console errors containing one of
    `expect_errors` are the test's own doing (a 404 it provokes, requests made while offline).
    A POST to the API without an Idempotency-Key fails the test as a console error would."""
    contexts, made = [], []

    async def phone(username: str | None = None, expect_errors: tuple[str, ...] = ()) -> Phone:
        context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                            timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True,
                                            base_url=api.stack.url("gateway"))
        await context.add_init_script(path=str(AXE))   # evaluated over CDP: the page's CSP does not apply
        contexts.append(context)
        device = Phone(await context.new_page(), api)
        device.page.set_default_timeout(15_000)
        device.page.on("console", partial(_console_error, device, expect_errors))
        device.page.on("pageerror", lambda err: device.errors.append(str(err)))
        device.page.on("request", partial(_post_without_key, device))
        made.append(device)
        if username:
            await device.sign_in(username)
        return device

    yield phone
    for context in contexts:
        await context.close()
    assert [e for device in made for e in device.errors] == [], "console errors in the app"

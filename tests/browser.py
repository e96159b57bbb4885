"""What the browser tests share: Debian's chromium driven by Playwright, a watcher that
fails a page on any console error, failed request, error response or request to another
host, screenshots in test-artifacts/ for a person to look at, and axe-core (installed
from the npm registry into tests/node/) to audit a page's accessibility.

A test module defines its own `browser` fixture on top of `launched()`, after the
fixtures that write its data: while Playwright's sync API runs its event loop in the
test's thread, Django refuses database calls there (they would get a connection of
their own)."""

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import PROJECT_DIR

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -r requirements-dev.txt)"
)

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_DIR / "test-artifacts"
# Headless and quiet: no sandbox (containers), no GPU, and none of chromium's own
# traffic (updates, sync, QUIC probes) so every request seen comes from the page.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# The archive's readers and curators are in China: dates as they see them.
CONTEXT = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium package"
)

# axe-core, pinned with its checksum in tests/node/package-lock.json; npm installs it into
# tests/node/node_modules (not in git) the first time a test needs it.
NODE_DIR = PROJECT_DIR / "tests" / "node"
AXE_SCRIPT = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# What an audit must not find. Moderate and minor findings are written to the report.
BLOCKING_IMPACTS = ("critical", "serious")


@contextlib.contextmanager
def launched():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Watcher:
    """Records everything that went wrong while a page was used."""

    def __init__(self, page, origin):
        self.origin = origin
        self.problems = []
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(f"request failed: {request.url} {request.failure}"))
        page.on("response", self.response)
        # Nothing may be fetched from another host: such requests are stopped and reported.
        page.route("**/*", self.route)

    def console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def response(self, response):
        if response.status >= 400 and self.is_local(response.url):
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def route(self, route):
        if self.is_local(route.request.url):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def is_local(self, url):
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin or parts.scheme in ("data", "about")


@contextlib.contextmanager
def page_opener(browser, origin, cookies=(), **options):
    """opener(viewport, script=True) -> (page, watcher); every page opened is checked for
    problems at the end. `cookies` (e.g. a signed-in session) are set on each new context.
    script=False: the browser runs no script, as some readers' do not."""
    opened = []

    def opener(viewport=DESKTOP, script=True):
        context = browser.new_context(viewport=viewport, java_script_enabled=script, **CONTEXT, **options)
        context.add_cookies([{**cookie, "url": origin} for cookie in cookies])
        page = context.new_page()
        watcher = Watcher(page, origin)
        opened.append((context, watcher))
        return page, watcher

    yield opener
    for context, watcher in opened:
        context.close()
        assert watcher.problems == []


def screenshot(page, name, full_page=False):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 0
    return path


def no_wider_than_the_window(page):
    """Whether nothing makes the page scroll sideways; the overflowing elements if it does."""
    return page.evaluate(
        """() => {
            if (document.documentElement.scrollWidth <= window.innerWidth) return [];
            return [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 10)
                .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
        }"""
    ) == []


def axe_script():
    """axe-core's script, installed by npm on first use; skips where npm is absent."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is absent: the accessibility audit installs axe-core from the npm registry (apt-get install npm)")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True, timeout=300
        )
    return AXE_SCRIPT


def audit(page, name):
    """Run axe-core on the page (WCAG 2.1 A and AA rules and axe's best practices); the
    full findings go to test-artifacts/axe/<name>.json. Returns the blocking ones as
    'rule (impact): n× target' strings."""
    page.add_script_tag(path=str(axe_script()))
    results = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }"""
    )
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe" / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return [
        f"{v['id']} ({v['impact']}): {len(v['targets'])}× {v['targets'][:3]} {v['help']}"
        for v in results
        if v["impact"] in BLOCKING_IMPACTS
    ]

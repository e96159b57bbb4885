"""The public site in a real browser (Debian's chromium driven by Playwright): a reader
browses from the home page to a speech and through its outline, and searches, narrows by
a facet and opens a result at its section. Any console error, failed request, error
response or request to another host fails the test. Screenshots (1280 px and 360 px
wide) go to test-artifacts/ for a person to look at."""

import os
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from speeches.extract.annotate import ensure_topics
from speeches.extract.gazetteer import load_regions
from speeches.ingest.pipeline import import_paths
from speeches.models import Region, Section, Speech
from tests.conftest import PROJECT_DIR
from tests.factories import make_speech

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

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium package"),
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo(settings):
    """The demo compilation imported (and indexed), and what the tests need to know of its
    spring-farming speech (placed in a county, outlined, on one topic), read now: while
    Playwright's sync API runs its event loop in this thread, Django refuses database
    calls here, and rightly so (they would get a connection of their own)."""
    settings.SEARCH_INDEX_UPDATES = "immediate"
    # An earlier transactional test may have flushed what the migrations load.
    load_regions(Region)
    ensure_topics()
    import_paths([PROJECT_DIR / "demo"])
    speech = Speech.objects.published().get(title="全县春季农业生产工作会议讲话")
    assert speech.region is not None and speech.sections.count() >= 4 and speech.topics.exists()
    return SimpleNamespace(
        url=speech.get_absolute_url(),
        title=speech.title,
        regions=[region.name for region in speech.region.ancestors()],
        province=speech.region.ancestors()[0],
        sections={section.heading: section for section in Section.objects.filter(speech=speech)},
        topic=speech.topics.first(),
    )


@pytest.fixture
def dated_speeches(demo):
    """Speeches of several years on the demo's irrigation theme, so a search draws its year chart."""
    return [
        make_speech(title=f"农田水利建设推进会讲话（{year}年）", body="同志们：\n今年要抓好农田水利建设。", year=year)
        for year in range(2001, 2006)
    ]


@pytest.fixture
def browser(demo):
    # After `demo`: the data is in place before the event loop starts.
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
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


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport, script=True) -> (page, watcher); every page is checked for
    problems at the end. script=False: the browser runs no script, as some readers'."""
    opened = []

    def opener(viewport=DESKTOP, script=True):
        context = browser.new_context(viewport=viewport, locale="zh-CN", java_script_enabled=script)
        page = context.new_page()
        watcher = Watcher(page, live_server.url)
        opened.append((context, watcher))
        return page, watcher

    yield opener
    for context, watcher in opened:
        context.close()
        assert watcher.problems == []


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 0
    return path


def target_in_view(page):
    """(id of the :target element, whether it lies within the viewport)."""
    return page.evaluate(
        """() => {
            const target = document.querySelector(':target');
            if (!target) return [null, false];
            const box = (target.closest('p') || target).getBoundingClientRect();
            return [target.id, box.top >= 0 && box.top < window.innerHeight];
        }"""
    )


def opacity(locator):
    return locator.evaluate("element => getComputedStyle(element).opacity")


def test_a_reader_goes_from_home_to_a_region_to_a_speech_and_through_its_outline(open_page, live_server, demo):
    province = demo.province
    section = next(section for section in demo.sections.values() if section.order == 2)
    page, _watcher = open_page()

    page.goto(live_server.url + "/")
    page.locator("section[aria-labelledby='regions-heading']").get_by_role("link", name=province.name, exact=True).click()
    page.wait_for_url(f"**{province.get_absolute_url()}")
    assert page.locator("h1").inner_text() == province.name

    page.locator(f"a.title[href='{demo.url}']").click()
    page.wait_for_url(f"**{demo.url}")
    assert page.locator("h1").inner_text() == demo.title
    # The region breadcrumb runs from the province down to the speech's county.
    crumbs = page.locator(".speech-header .breadcrumbs a").all_inner_texts()
    assert crumbs == ["地区", *demo.regions]

    page.locator("nav.outline").get_by_role("link", name=f"{section.number}{section.heading}").click()
    page.wait_for_function(f"location.hash === '#{section.anchor}'")
    assert target_in_view(page) == [section.anchor, True]
    screenshot(page, "speech-outline-desktop")

    # A paragraph's ¶ link shows only while the reader points at its paragraph or tabs to it.
    paragraph = page.locator(".speech-text p:not(:target):not(:has(:target))").nth(3)
    link = paragraph.locator(".para-link")
    page.mouse.move(0, 0)
    assert opacity(link) == "0"
    paragraph.hover()
    assert opacity(link) == "1"
    page.mouse.move(0, 0)
    link.focus()
    assert opacity(link) == "1"
    assert link.get_attribute("aria-label").startswith("链接到第 ")

    # The same speech on a 360 px phone: nothing wider than the screen.
    phone, _phone_watcher = open_page(PHONE)
    phone.goto(live_server.url + demo.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "speech-phone")


def test_a_reader_searches_narrows_by_a_facet_and_opens_a_result_at_its_section(dated_speeches, open_page, live_server, demo):
    topic = demo.topic
    section = next(section for heading, section in demo.sections.items() if "农田水利" in heading)
    page, _watcher = open_page()

    page.goto(live_server.url + "/")
    # "/" puts the cursor in the search box.
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.type("农田水利")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator("#results-heading").inner_text().startswith("找到")
    # The year chart is drawn, yet Tab from the search button reaches the first result
    # before any of its bars.
    assert page.locator(".histogram a.bar").count() == len(dated_speeches)
    screenshot(page, "search-chart-desktop")
    page.locator("form.search-form button").focus()
    for _stop in range(20):
        page.keyboard.press("Tab")
        assert not page.evaluate("document.activeElement.matches('.histogram a')")
        if page.evaluate("document.activeElement.matches('ol.search-hits a.title')"):
            break
    else:
        pytest.fail("the first result is not within 20 tab stops of the search button")


    page.locator("aside.facets").get_by_role("link", name=topic.name).click()
    page.wait_for_url(f"**topic={topic.slug}*")
    # The filter is shown and can be removed.
    assert page.locator(".active-filters").get_by_role("link", name=f"主题:{topic.name} ✕").is_visible()

    result = page.locator(f"ol.search-hits a.title[href='{demo.url}#{section.anchor}']")
    assert result.count() == 1
    screenshot(page, "search-facet-desktop")
    result.click()
    page.wait_for_url(f"**{demo.url}#{section.anchor}")
    page.wait_for_load_state("load")
    assert target_in_view(page) == [section.anchor, True]

    # The search page on a 360 px phone.
    phone, _phone_watcher = open_page(PHONE)
    phone.goto(f"{live_server.url}/search/?q=农田水利&topic={topic.slug}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "search-phone")


def test_a_reader_opens_a_province_from_the_map_of_all_34_provincial_level_divisions(open_page, live_server, demo):
    province = demo.province
    page, _watcher = open_page()

    page.goto(live_server.url + "/regions/")
    tiles = page.locator("figure.province-map .tile-name")
    assert tiles.count() == 34
    assert {"台湾", "香港", "澳门", "海南"} <= set(tiles.all_text_contents())
    screenshot(page, "regions-map-desktop")

    link = page.locator(f"figure.province-map a[href='{province.get_absolute_url()}']")
    assert re.fullmatch(r"\S+ [1-9]\d* 篇", link.get_attribute("aria-label"))
    link.focus()
    screenshot(page, "regions-map-focus-desktop")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{province.get_absolute_url()}")
    assert page.locator("h1").inner_text() == province.name

    phone, _phone_watcher = open_page(PHONE)
    phone.goto(live_server.url + "/regions/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator("figure.province-map").scroll_into_view_if_needed()
    screenshot(phone, "regions-map-phone")

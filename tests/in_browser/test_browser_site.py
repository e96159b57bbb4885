"""The public site in a real browser (Debian's chromium driven by Playwright): a reader
browses from the home page to a speech and through its outline, and searches, narrows by
a facet and opens a result at its section. Any console error, failed request, error
response or request to another host fails the test. Screenshots (1280 px and 360 px
wide) go to test-artifacts/ for a person to look at."""

import re

import pytest

from tests.browser import PHONE, launched, needs_chromium, page_opener, screenshot
from tests.factories import make_speech

pytestmark = [
    needs_chromium,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


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
    with launched() as browser:
        yield browser


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport) -> (page, watcher); every page is checked for problems at the end."""
    with page_opener(browser, live_server.url) as opener:
        yield opener


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
    # One bar a year: the five dated speeches' and the demo speech's own.
    assert page.locator(".histogram a.bar").count() == len({speech.year for speech in dated_speeches} | {demo.year})
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
    assert page.locator(".active-filters").get_by_role("link", name=f"主题：{topic.name} ✕").is_visible()

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

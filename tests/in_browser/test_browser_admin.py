"""The admin in a real browser at 1280 px, as a curator uses it: the home page, the
speech list and a speech's page, the review queue, the import page, a job's page and the
search health page. No page is wider than the window; a mark in the speech's text says
what it was taken for; nothing fails on the way (console errors, refused scripts or
styles under the Content-Security-Policy, failed requests). Screenshots of every page go
to test-artifacts/admin-*.png for a person to look at."""

import pytest
from django.urls import reverse

from tests.browser import (
    DESKTOP,
    needs_chromium,
    no_wider_than_the_window,
    page_opener,
    screenshot,
)

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def curator_pages(archive):
    """(name, address) of the admin pages a curator works in."""
    return [
        ("index", reverse("admin:index")),
        ("speech-list", reverse("admin:speeches_speech_changelist")),
        ("speech-edit", reverse("admin:speeches_speech_change", args=[archive.speech_id])),
        ("review-queue", reverse("admin:speeches_reviewitem_changelist") + "?status__exact=pending"),
        ("import", reverse("admin:speeches_source_import")),
        ("job", archive.job_url),
        ("search-health", reverse("admin:speeches_search_health")),
    ]


@pytest.fixture
def open_page(staff_browser, live_server, staff_archive):
    with page_opener(staff_browser, live_server.url, cookies=staff_archive.cookies) as opener:
        yield opener


def test_no_admin_page_is_wider_than_a_1280_px_window(open_page, live_server, staff_archive):
    page, _watcher = open_page(DESKTOP)
    too_wide = {}
    for name, address in curator_pages(staff_archive):
        page.goto(live_server.url + address)
        assert page.locator("#site-name").inner_text() == "领导讲话档案", name
        if not no_wider_than_the_window(page):
            too_wide[name] = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        screenshot(page, f"admin-{name}-desktop", full_page=True)
    assert too_wide == {}


def test_a_curator_reads_the_marked_text_and_the_queue_at_1280_px(open_page, live_server, staff_archive):
    page, _watcher = open_page(DESKTOP)

    page.goto(live_server.url + reverse("admin:speeches_speech_change", args=[staff_archive.speech_id]))
    mark = page.locator(".marked-text-body mark").first
    assert mark.get_attribute("title").startswith(("官员：", "地区："))
    mark.scroll_into_view_if_needed()
    screenshot(page, "admin-speech-marked-text-desktop")
    # The content hash is folded away until asked for.
    summary = page.locator("details summary", has_text="内部信息")
    assert not page.locator(".field-content_hash").is_visible()
    summary.click()
    assert page.locator(".field-content_hash").is_visible()

    page.goto(live_server.url + reverse("admin:speeches_reviewitem_changelist") + "?status__exact=pending")
    # No column is squeezed to a character or two: each cell holds at least two of them a line.
    narrowest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('#result_list th[scope=col]')].map(th => th.getBoundingClientRect().width))"
    )
    assert narrowest >= 2 * 14
    # The queue's explanation is not covered by the add button.
    help_box = page.locator(".queue-help").bounding_box()
    tools = page.locator(".object-tools").bounding_box()
    assert help_box["y"] >= tools["y"] + tools["height"] or help_box["x"] + help_box["width"] <= tools["x"]

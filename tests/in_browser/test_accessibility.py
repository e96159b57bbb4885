"""Accessibility audited by axe-core (from the npm registry, pinned in tests/node/) in
chromium: the public pages a reader uses and the admin pages a curator uses have no
critical or serious finding (WCAG 2.1 A and AA, and axe's best practices). Every finding,
of any impact, is written to test-artifacts/axe/<page>.json."""

import pytest
from django.urls import reverse

from tests.browser import DESKTOP, audit, needs_chromium, page_opener
from tests.in_browser.test_browser_admin import curator_pages

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def reader_pages(demo):
    return [
        ("home", "/"),
        ("regions", "/regions/"),
        ("region", demo.province.get_absolute_url()),
        ("search", "/search/?q=春耕"),
        ("speech", demo.url),
        ("years", "/years/"),
        ("topics", "/topics/"),
        ("officials", "/officials/"),
    ]


@pytest.fixture
def open_page(staff_browser, live_server, staff_archive):
    # axe's script is added to the page, which the Content-Security-Policy would refuse;
    # the policy itself is held by the other browser tests.
    with page_opener(staff_browser, live_server.url, cookies=staff_archive.cookies, bypass_csp=True) as opener:
        yield opener


def audited(page, origin, pages, prefix):
    blocking = {}
    for name, address in pages:
        page.goto(origin + address)
        found = audit(page, f"{prefix}-{name}")
        if found:
            blocking[name] = found
    return blocking


def test_reader_pages_have_no_critical_or_serious_accessibility_finding(open_page, live_server, demo):
    page, _watcher = open_page(DESKTOP)
    assert audited(page, live_server.url, reader_pages(demo), "site") == {}


def test_curator_pages_have_no_critical_or_serious_accessibility_finding(open_page, live_server, staff_archive):
    page, _watcher = open_page(DESKTOP)
    pages = [
        *curator_pages(staff_archive),
        ("speech-history", reverse("admin:speeches_speech_history", args=[staff_archive.speech_id])),
        ("review-fix", staff_archive.fix_url),
    ]
    assert audited(page, live_server.url, pages, "admin") == {}
    # Signed out: the sign-in page.
    page.context.clear_cookies()
    assert audited(page, live_server.url, [("sign-in", reverse("admin:login"))], "admin") == {}

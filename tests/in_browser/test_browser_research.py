"""The research tools in a real browser (as tests/in_browser/test_browser_site.py): a reader compares
two terms over the years and follows a point of the chart to the search, opens a speech
with a shared passage and goes from its note to the two speeches side by side, all in a
browser that runs no script (the pages need none); nothing fails to load; screenshots at
1280 and 360 px go to test-artifacts/ to be looked at."""

import datetime
from types import SimpleNamespace

import pytest

from speeches.reuse.detect import find_shared_passages
from tests.browser import PHONE, screenshot
from tests.factories import make_speech
from tests.in_browser.test_browser_site import browser, open_page, pytestmark  # noqa: F401 - fixtures and marks

# Written for these tests: a paragraph a later speech copies with small edits.
COPIED = (
    "今年要把农田水利建设摆在更加突出的位置，全县新修渠道四十公里，整治山塘一百二十口，"
    "新增有效灌溉面积三万亩。各乡镇要在春耕前完成清淤任务，县水利局要派出技术人员蹲点指导，"
    "确保每一处工程都经得起汛期检验。"
)
EDITED = COPIED.replace("全县", "全市").replace("各乡镇", "各区县").replace("县水利局", "市水利局").replace("，", ",")
TERMS = ("高标准农田", "乡村振兴")


@pytest.fixture
def research(demo):
    """Speeches over ten years using two terms, two of them sharing a paragraph; shared
    passages found. Made before the browser's event loop starts (see test_browser_site)."""
    for year in range(2014, 2024):
        uses = (year - 2013) % 4
        make_speech(
            title=f"全县农业农村工作会议讲话（{year}年）",
            body="同志们：\n" + "要建设高标准农田。" * uses + "推进乡村振兴，" * (4 - uses) + "抓好粮食生产。",
            year=year,
            region=demo.province if year % 2 else None,
        )
    first = make_speech(title="县长在县人代会上的报告（2015年）", body=f"各位代表：\n过去一年，全县经济平稳发展。\n{COPIED}\n谢谢大家。",
                        date=datetime.date(2015, 3, 2), year=2015)
    later = make_speech(title="市长在市人代会上的报告（2021年）", body=f"各位代表：\n今年的工作安排如下。\n{EDITED}\n请大家审议。",
                        date=datetime.date(2021, 2, 20), year=2021)
    find_shared_passages()
    return SimpleNamespace(first=first.get_absolute_url(), later=later.get_absolute_url(),
                           first_title=first.title, compare=f"/compare/{later.uid}/{first.uid}/")


def test_a_reader_compares_two_terms_over_the_years_and_opens_the_search_of_a_point(research, open_page, live_server):  # noqa: F811
    page, _watcher = open_page(script=False)
    page.goto(f"{live_server.url}/trends/?q={TERMS[0]}&q={TERMS[1]}")
    chart = page.locator("figure.trend-chart svg")
    assert chart.is_visible()
    assert page.locator("figure.trend-chart polyline").count() == 2
    assert page.locator(".trend-table tbody tr").count() >= 10
    screenshot(page, "trends-chart-desktop")

    # The provinces: a table, and the tile map of the first term's speeches.
    page.locator("#places-heading").scroll_into_view_if_needed()
    assert page.locator("figure.province-map a.tile").count() == 1
    screenshot(page, "trends-provinces-desktop")

    point = page.locator("figure.trend-chart .series-1 a").first
    label = point.get_attribute("aria-label")
    assert label.startswith(TERMS[0])
    point.click()
    page.wait_for_url("**/search/?q=*year=*")
    assert page.locator("#results-heading").inner_text().startswith("找到")

    page.goto(f"{live_server.url}/trends/?q={TERMS[0]}&q={TERMS[1]}&measure=share")
    assert page.locator(".measure-switch [aria-current]").inner_text() == "含该词的讲话占当年讲话的百分比"

    phone, _phone_watcher = open_page(PHONE, script=False)
    phone.goto(f"{live_server.url}/trends/?q={TERMS[0]}&q={TERMS[1]}")
    # The chart keeps a readable size, scrolling sideways in its own box, never the page's.
    assert phone.locator("figure.trend-chart svg").bounding_box()["width"] > PHONE["width"]
    assert _page_width(phone) <= PHONE["width"]
    phone.locator("#trend-chart-caption").scroll_into_view_if_needed()
    screenshot(phone, "trends-chart-phone")
    # The table's columns scroll inside their own box, never the page.
    phone.locator(".trend-table").first.scroll_into_view_if_needed()
    screenshot(phone, "trends-table-phone")
    assert _page_width(phone) <= PHONE["width"]


def test_a_reader_sees_a_shared_passage_and_compares_the_two_speeches(research, open_page, live_server):  # noqa: F811
    page, _watcher = open_page(script=False)
    page.goto(live_server.url + research.later)
    mark = page.locator(".speech-text mark.shared-passage").first
    assert mark.is_visible() and "新修渠道四十公里" in mark.inner_text()
    note = page.locator(".speech-text .also-in").first
    assert note.inner_text().startswith("这段文字也见于")
    assert research.first_title in note.inner_text()
    mark.scroll_into_view_if_needed()
    screenshot(page, "speech-shared-passage-desktop")

    note.get_by_role("link", name="对照").first.click()
    page.wait_for_url(f"**{research.compare}")
    shared = page.locator("table.compare-table tr.shared")
    assert shared.count() == 1
    cells = shared.locator("td").all_inner_texts()
    assert "全市新修渠道" in cells[0] and "全县新修渠道" in cells[1]
    screenshot(page, "compare-desktop")

    # From the compare page back to the earlier speech, at its own shared passage.
    page.locator("table.compare-table thead a").nth(1).click()
    page.wait_for_url(f"**{research.first}")
    assert page.locator(".speech-text mark.shared-passage").count() == 1

    phone, _phone_watcher = open_page(PHONE, script=False)
    phone.goto(live_server.url + research.later)
    phone.locator(".speech-text mark.shared-passage").first.scroll_into_view_if_needed()
    assert _page_width(phone) <= PHONE["width"]
    screenshot(phone, "speech-shared-passage-phone")
    phone.locator(".speech-text .also-in").get_by_role("link", name="对照").first.click()
    phone.wait_for_url(f"**{research.compare}")
    assert _page_width(phone) <= PHONE["width"]
    screenshot(phone, "compare-phone")
    phone.locator("table.compare-table tr.shared").scroll_into_view_if_needed()
    screenshot(phone, "compare-shared-phone")


def _page_width(page):
    # Read from layout without running the page's script (evaluate works with script off).
    return page.evaluate("document.documentElement.scrollWidth")

"""The search page's histogram of results by year."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def test_results_are_drawn_by_year_with_bars_that_add_the_year_and_keep_the_query(client):
    make_speech(title="防汛讲话甲", body="防汛工作。", year=2008)
    make_speech(title="防汛讲话乙", body="防汛工作。", date=datetime.date(2008, 6, 1))
    make_speech(title="防汛讲话丙", body="防汛工作。", year=2010)
    make_speech(title="防汛讲话丁", body="防汛工作。", year=2016, year_masked=True)
    make_speech(title="教育讲话", body="教育工作。", year=2012)

    response = client.get(reverse("speeches:search"), {"q": "防汛", "kind": "speech", "page": "1"})

    histogram = response.context["year_histogram"]
    assert [(bar["year"], bar["count"]) for bar in histogram["bars"]] == [(2008, 2), (2009, 0), (2010, 1)]
    assert histogram["unknown_count"] == 1
    html = response.content.decode()
    # The bar keeps the query and the other filters, sets the year, and goes back to page 1.
    assert 'href="/search/?q=%E9%98%B2%E6%B1%9B&amp;kind=speech&amp;year=2008"' in html
    assert "另有 1 篇年份不详，不在图中" in html


def test_there_is_no_histogram_when_nothing_is_found(client):
    make_speech(title="防汛讲话", body="防汛工作。", year=2008)

    response = client.get(reverse("speeches:search"), {"q": "不存在的词语组合"})

    assert response.context["year_histogram"] is None
    assert 'class="histogram"' not in response.content.decode()


def test_the_chart_comes_after_the_results_so_its_bars_do_not_come_first_in_tab_order(client):
    for year in range(1990, 2020):
        make_speech(title=f"防汛讲话{year}", body="防汛工作。", year=year)

    html = client.get(reverse("speeches:search"), {"q": "防汛"}).content.decode()

    assert html.index('class="speech-list search-hits"') < html.index('class="histogram"')

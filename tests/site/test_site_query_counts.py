"""Browse and search pages make a fixed number of SQL queries however many speeches
the archive holds: a page that grew a query per speech, region or topic shown would
be fast in tests and slow on a real archive. Counts are compared at two archive sizes
and held to a ceiling each."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from speeches.models import Citation, Official, Region, Section
from tests.factories import make_region, make_source, make_speech, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]

# Ceiling of SQL queries per page (what each page makes today, plus a little slack).
CEILINGS = {
    "home": 14,
    "regions": 6,
    "region": 8,
    "topic": 6,
    "speech": 10,
    "years": 3,
    "year": 5,
    "search": 8,
    "api_search": 10,
    "feed": 4,
    "topic_feed": 5,
}


def build(size):
    """An archive of `size` speeches in one source, spread over regions, topics, years,
    officials and sections; returns what the pages are asked for."""
    province = make_region("13", "河北省")
    cities = [make_region(f"130{i}", f"测试市{i}", Region.PREFECTURE, province) for i in range(1, 4)]
    counties = [make_region(f"130{i}9{j}", f"测试县{i}{j}", Region.COUNTY, cities[i - 1])
                for i in range(1, 4) for j in range(3)]
    topics = [make_topic(f"测试主题{i}", f"test-topic-{i}") for i in range(4)]
    officials = [Official.objects.create(name=f"测试人{i}") for i in range(5)]
    source = make_source(path=f"bench/{size}.jsonl")
    first = None
    for number in range(size):
        body = f"同志们:\n一、防汛工作\n今年第{number}次会议部署防汛抗旱。\n二、水利建设\n水库和堤防要加固。"
        speech = make_speech(
            title=f"防汛讲话{number}", body=body, source=source, position=number,
            region=counties[number % len(counties)] if number % 5 else cities[number % len(cities)],
            year=1995 + number % 25,
        )
        speech.topics.add(topics[number % len(topics)], topics[(number + 1) % len(topics)])
        Section.objects.create(speech=speech, order=1, number="一、", heading="防汛工作", level=1, start=4, end=30)
        Section.objects.create(speech=speech, order=2, number="二、", heading="水利建设", level=1, start=30, end=len(body))
        for official in officials[: 1 + number % len(officials)]:
            Citation.objects.create(speech=speech, official=official, mention=official.name, offset=0)
        first = first or speech
    return {
        "home": "/",
        "regions": "/regions/",
        "region": f"/regions/{province.code}/",
        "topic": f"/topics/{topics[0].slug}/",
        "speech": first.get_absolute_url(),
        "years": "/years/",
        "year": "/years/2000/",
        "search": "/search/?q=防汛&page=2",
        "api_search": "/api/search/?q=水库&region=13",
        "feed": "/feeds/latest/",
        "topic_feed": f"/feeds/topics/{topics[0].slug}/",
    }


def query_counts(client, pages):
    counts = {}
    for name, url in pages.items():
        client.get(url)  # the first request may write once (a search's log row for the day)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(captured.captured_queries)
    return counts


def test_pages_make_as_many_queries_for_sixty_speeches_as_for_thirty(client):
    small = query_counts(client, build(30))
    make_speech(title="另一来源的讲话", body="防汛。")  # an unrelated change between the two
    large = query_counts(client, build(60))

    assert large == small


def test_pages_stay_under_their_query_ceilings(client):
    counts = query_counts(client, build(30))

    over = {name: (count, CEILINGS[name]) for name, count in counts.items() if count > CEILINGS[name]}
    assert not over


# The browse pages read kept counts (speeches/counts.py): none counts the speeches.
BROWSE_PAGES = ("home", "regions", "region", "topics", "topic", "years", "year", "officials")
COUNTING_SPEECHES = re.compile(r'COUNT\(.*"speeches_speech"', re.IGNORECASE | re.DOTALL)


def browse_pages(size):
    pages = {**build(size), "topics": "/topics/", "officials": "/officials/"}
    return {name: url for name, url in pages.items() if name in BROWSE_PAGES}


def counting_queries(client, pages):
    found = []
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        found += [(name, q["sql"]) for q in captured.captured_queries if COUNTING_SPEECHES.search(q["sql"])]
    return found


def test_browse_pages_never_count_the_speeches_and_make_as_many_queries_for_sixty_as_for_thirty(
    client, settings
):
    settings.SEARCH_INDEX_UPDATES = "on_commit"  # these pages never read the index: not built
    pages = browse_pages(30)
    small = query_counts(client, pages)
    assert counting_queries(client, pages) == []

    large = query_counts(client, browse_pages(60))

    assert large == small

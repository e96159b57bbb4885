"""Markup typed or imported anywhere is shown as text: speech titles, bodies, section
headings and keywords, region, topic and official names, source fields, search queries
and filter values. Every public page escapes it, the JSON API carries it as data (never
as HTML), and the RSS feeds escape it for readers that render descriptions as HTML."""

import datetime
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest

from speeches.models import Citation, Official, Region, Section
from tests.factories import make_source, make_speech, make_topic

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
# What must never reach a page as markup.
RAW = ("<script>alert", "<img src=x", 'href="javascript:', "onerror=alert(1)>")
# How the payloads read once escaped.
ESCAPED = ("&lt;script&gt;alert(", "&lt;img src=x onerror=alert(1)&gt;")


@pytest.fixture
def hostile(settings):
    """One published speech whose every field, and every name around it, carries markup."""
    settings.SEARCH_INDEX_UPDATES = "immediate"
    province = Region.objects.get_or_create(code="43", defaults={"name": "湖南省", "level": Region.PROVINCE})[0]
    county = Region.objects.create(code="439901", name=f"红星{SCRIPT}县", level=Region.COUNTY, parent=province)
    topic = make_topic(f"防汛{SCRIPT}{ATTRIBUTE}", "xss-topic")
    topic.keywords = [SCRIPT]
    topic.save()
    official = Official.objects.create(name=f"王{SCRIPT}", title=ATTRIBUTE, organisation=SCRIPT)
    source = make_source(
        path="javascript:alert(1)", title=f"汇编{SCRIPT}", author=ATTRIBUTE, intro=f"导语{SCRIPT}"
    )
    body = "\n".join(
        [
            "同志们:",
            f"一、{SCRIPT}防汛工作",
            f"今年防汛形势严峻{ATTRIBUTE}各乡镇要提前准备。",
            f"二、<b>加强</b>值守{SCRIPT}",
            "防汛值班要做到二十四小时有人。",
        ]
    )
    speech = make_speech(
        title=f"在{SCRIPT}防汛会议上的讲话{ATTRIBUTE}",
        body=body,
        region=county,
        source=source,
        speaker=official,
        url="javascript:alert(1)",
        keywords=[SCRIPT, ATTRIBUTE],
        year=2021,
        date=datetime.date(2021, 6, 1),
    )
    for order, number in enumerate(("一、", "二、"), start=1):
        start = body.index(number)
        end = body.index("\n", start)
        Section.objects.create(
            speech=speech, order=order, number=number, heading=body[start + 2 : end], level=1, start=start, end=end
        )
    Citation.objects.create(speech=speech, official=official, mention=official.name, offset=0)
    speech.topics.add(topic)
    return {"speech": speech, "county": county, "topic": topic, "official": official, "source": source}


def page_paths(hostile):
    speech, county, topic, official = hostile["speech"], hostile["county"], hostile["topic"], hostile["official"]
    searches = [
        {"q": "防汛"},
        {"q": SCRIPT},
        {"q": ATTRIBUTE},
        {"q": "alert"},
        {"q": "防汛", "region": county.code},
        {"q": "防汛", "topic": topic.slug},
        {"q": "防汛", "official": str(official.pk)},
        {"q": "防汛", "region": SCRIPT, "topic": ATTRIBUTE, "year": SCRIPT, "kind": SCRIPT, "sort": SCRIPT},
    ]
    return [
        "/",
        "/speeches/",
        speech.get_absolute_url(),
        hostile["source"].get_absolute_url(),
        "/regions/",
        "/regions/43/",
        county.get_absolute_url(),
        "/topics/",
        topic.get_absolute_url(),
        "/officials/",
        official.get_absolute_url(),
        "/years/",
        "/years/2021/",
    ] + [f"/search/?{urlencode(params)}" for params in searches]


def test_every_public_page_shows_markup_as_text(client, hostile):
    shown = 0
    for path in page_paths(hostile):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        for raw in RAW:
            assert raw not in html, (path, raw)
        shown += any(escaped in html for escaped in ESCAPED)
    # The payloads were rendered (escaped) on the pages, not simply left out.
    assert shown >= len(page_paths(hostile)) - 2


def test_the_speech_page_escapes_each_field(client, hostile):
    html = client.get(hostile["speech"].get_absolute_url()).content.decode()
    assert "&lt;b&gt;加强&lt;/b&gt;" in html  # body and section heading
    assert "红星&lt;script&gt;" in html  # region
    assert "王&lt;script&gt;" in html  # speaker and cited official
    assert "javascript:alert(1)" in html and 'href="javascript:' not in html  # original address, not linked


def test_search_highlights_are_marked_inside_escaped_text(client, hostile):
    html = client.get("/search/", {"q": "alert"}).content.decode()
    assert "<mark>alert</mark>" in html
    assert "&lt;script&gt;<mark>alert</mark>(&quot;xss&quot;)&lt;/script&gt;" in html


def test_error_pages_do_not_echo_markup_from_the_address(client, hostile):
    for path in (f"/regions/{quote(SCRIPT)}/", f"/topics/{quote(ATTRIBUTE)}/", f"/speeches/{quote(SCRIPT)}/", f"/years/{quote(SCRIPT)}/"):
        response = client.get(path)
        assert response.status_code in (400, 404), path
        html = response.content.decode()
        for raw in RAW:
            assert raw not in html, (path, raw)


def api_paths(hostile):
    speech, county, topic = hostile["speech"], hostile["county"], hostile["topic"]
    return [
        "/api/speeches/",
        f"/api/speeches/?{urlencode({'region': county.code, 'topic': topic.slug})}",
        f"/api/speeches/{speech.uid}/",
        f"/api/search/?{urlencode({'q': '防汛'})}",
        f"/api/search/?{urlencode({'q': SCRIPT})}",
        "/api/regions/",
        "/api/topics/",
        "/api/officials/",
    ]


def test_the_api_carries_markup_as_json_data_never_as_html(client, hostile):
    for path in api_paths(hostile):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/json"), path
        assert response["X-Content-Type-Options"] == "nosniff"
        json.loads(response.content)
    detail = client.get(f"/api/speeches/{hostile['speech'].uid}/").json()
    assert detail["title"] == hostile["speech"].title
    assert detail["region"]["name"] == hostile["county"].name
    hits = client.get("/api/search/", {"q": "防汛"}).json()["results"]
    assert [hit["title"] for hit in hits] == [hostile["speech"].title]
    # The snippet is HTML (with <mark>): its text is escaped like the page's.
    assert "<script>" not in hits[0]["snippet"] and "&lt;" in hits[0]["snippet"]


def test_downloads_are_plain_text_or_word_never_html(client, hostile):
    speech = hostile["speech"]
    text = client.get(f"/speeches/{speech.uid}/export.txt")
    assert text["Content-Type"].startswith("text/plain") and text["X-Content-Type-Options"] == "nosniff"
    assert SCRIPT in text.content.decode()  # the text as written, in a file no browser renders
    for export in ("csv", "json"):
        response = client.get("/api/search/", {"q": "防汛", "format": export})
        assert response.status_code == 200
        assert not response["Content-Type"].startswith("text/html")


def feed_paths(hostile):
    return [
        "/feeds/latest/",
        "/feeds/regions/43/",
        f"/feeds/regions/{hostile['county'].code}/",
        f"/feeds/topics/{hostile['topic'].slug}/",
        f"/feeds/officials/{hostile['official'].pk}/",
        f"/feeds/search/?{urlencode({'q': '防汛'})}",
        f"/feeds/search/?{urlencode({'q': SCRIPT, 'region': ATTRIBUTE})}",
    ]


def test_feeds_are_well_formed_and_escape_markup_for_html_readers(client, hostile):
    for path in feed_paths(hostile):
        response = client.get(path)
        assert response.status_code == 200, path
        root = ET.fromstring(response.content)  # well-formed XML
        channel = root.find("channel")
        # Descriptions are HTML to feed readers: markup in them must arrive escaped.
        descriptions = [channel.findtext("description")] + [i.findtext("description") for i in root.iter("item")]
        for description in descriptions:
            for raw in RAW:
                assert raw not in description, (path, description)
        items = list(root.iter("item"))
        if path != feed_paths(hostile)[-1]:
            assert [item.findtext("title") for item in items] == [hostile["speech"].title], path
            assert "&lt;script&gt;" in items[0].findtext("description")

"""Listings cost the same whatever the files behind them weigh: no list endpoint, feed or
browse page names a source's raw bytes (kept in a table of their own), and lists that do
not show the text leave the speech bodies out too. Public pages and the API name a
source by its file name, never by a path on the server."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from speeches.models import Citation, Official, Section, Source, SourceContent, Speech, SpeechTopic
from speeches.search import rebuild
from tests.factories import make_region, make_source, make_speech, make_topic

pytestmark = pytest.mark.django_db

# A bulk records file's worth of bytes behind every listed speech.
BULK_FILE = b'{"title": "x", "text": "y"}\n' * 40_000


@pytest.fixture
def archive(settings):
    settings.SEARCH_INDEX_UPDATES = "immediate"
    province = make_region("62", "甘肃省")
    topic = make_topic("知识产权", "ip")
    official = Official.objects.create(name="王明", title="市长")
    source = make_source(path="/srv/imports/2024/bulk-records.jsonl", title="", raw_bytes=BULK_FILE)
    speeches = []
    for n in range(3):
        speech = make_speech(
            title=f"第{n + 1}次知识产权工作会议讲话", body=f"同志们:\n一、提高认识\n王明市长讲了第{n + 1}个问题。",
            region=province, source=source, position=n + 1, year=2024,
        )
        Section.objects.create(speech=speech, order=1, number="一、", heading="提高认识", level=1, start=5, end=11)
        SpeechTopic.objects.create(speech=speech, topic=topic, score=1.0)
        Citation.objects.create(speech=speech, official=official, mention="王明市长", offset=12)
        speeches.append(speech)
    rebuild()
    return {"source": source, "speech": speeches[0], "topic": topic, "official": official}


def _lists(archive):
    source, topic, official = archive["source"], archive["topic"], archive["official"]
    return [
        "/api/speeches/", f"/api/speeches/?topic={topic.slug}", "/api/speeches/?region=62", "/api/speeches/?year=2024",
        "/api/officials/", "/api/topics/", "/api/regions/",
        "/feeds/latest/", "/feeds/regions/62/", f"/feeds/topics/{topic.slug}/", f"/feeds/officials/{official.pk}/",
        "/feeds/search/?q=知识产权",
        "/", "/speeches/", "/regions/", "/regions/62/", "/regions/unknown/", "/topics/", f"/topics/{topic.slug}/",
        "/topics/unclassified/", "/officials/", f"/officials/{official.pk}/", "/years/", "/years/2024/",
        f"/sources/{source.pk}/", "/sitemap.xml",
    ]


# What a feed shows of the text: its first characters, cut by the database.
_SUMMARY = re.compile(r'(SUBSTR|LEFT)\("speeches_speech"\."body", [^)]*\)', re.IGNORECASE)


def _sql_of(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return [query["sql"] for query in captured.captured_queries]


def test_no_list_or_feed_names_a_bulk_column(client, archive):
    for path in _lists(archive):
        for sql in _sql_of(client, path):
            assert "raw_bytes" not in sql and "sourcecontent" not in sql, (path, sql)
            assert '"speeches_speech"."body"' not in _SUMMARY.sub("", sql), (path, sql)
            assert '"speeches_speech"."import_log"' not in sql, (path, sql)
            if not path.startswith("/sources/"):
                assert '"speeches_source"."intro"' not in sql, (path, sql)


def test_pages_showing_one_speech_or_a_search_never_read_the_raw_bytes(client, archive):
    speech = archive["speech"]
    for path in (speech.get_absolute_url(), f"/api/speeches/{speech.uid}/", f"/speeches/{speech.uid}/export.txt",
                 f"/speeches/{speech.uid}/export.docx", "/search/?q=知识产权", "/api/search/?q=知识产权",
                 "/api/search/?q=知识产权&format=csv", "/api/search/?q=知识产权&format=json"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, path
        assert not any("raw_bytes" in q["sql"] or "sourcecontent" in q["sql"] for q in captured.captured_queries), path


def test_feed_items_still_carry_the_start_of_the_text(client, archive):
    content = client.get("/feeds/latest/").content.decode()
    assert "王明市长讲了第1个问题。" in content


def test_the_raw_bytes_are_kept_for_re_imports(archive):
    assert bytes(SourceContent.objects.get(source=archive["source"]).raw_bytes) == BULK_FILE
    # Deleting a source deletes its bytes.
    source = make_source(path="other.txt", title="另一个来源")
    source.delete()
    assert not SourceContent.objects.filter(source_id=source.pk).exists()


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/srv/imports/2024/bulk-records.jsonl", "bulk-records.jsonl"),
        ("/srv/imports/pages.zip!/2024/第一篇.txt", "第一篇.txt"),
        ("upload/会议讲话.docx", "会议讲话.docx"),
        ("C:\\导入\\讲话.txt", "讲话.txt"),
        ("https://example.gov.cn/a/b.html", "https://example.gov.cn/a/b.html"),
    ],
)
def test_a_source_is_shown_by_its_file_name_never_a_server_path(path, shown):
    assert Source(path=path).display_name == shown
    assert str(Source(path=path)) == shown
    assert str(Source(path=path, title="汇编标题")) == "汇编标题"


def test_no_public_page_or_api_answer_holds_the_server_path(client, archive):
    speech = archive["speech"]
    detail = client.get(f"/api/speeches/{speech.uid}/").json()
    assert detail["source"]["path"] == "bulk-records.jsonl"
    for path in (speech.get_absolute_url(), f"/sources/{archive['source'].pk}/", f"/speeches/{speech.uid}/export.txt",
                 "/api/search/?q=知识产权&format=json"):
        response = client.get(path)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = content.decode()
        assert "/srv/imports" not in text, path
    source_page = client.get(f"/sources/{archive['source'].pk}/").content.decode()
    assert "<title>bulk-records.jsonl" in source_page and "bulk-records.jsonl</h1>" in source_page


def test_a_listing_of_a_draft_source_is_still_not_found(client):
    source = make_source(path="/srv/drafts/a.txt")
    make_speech(source=source, status=Speech.DRAFT)
    assert client.get(f"/sources/{source.pk}/").status_code == 404

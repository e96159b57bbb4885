"""RSS feeds (all, per region, topic, official), sitemap.xml, and speech downloads."""

import io
import xml.etree.ElementTree as ET

import docx
import pytest

from speeches.models import Citation, Official, Section, Speech, SpeechTopic
from tests.factories import make_region, make_speech, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    province = make_region("62", "甘肃省")
    city = make_region("6201", "兰州市", level="prefecture", parent=province)
    topic = make_topic("知识产权", "ip")
    official = Official.objects.create(name="王明", title="市长")
    speech = make_speech(
        title="全市知识产权工作会议讲话",
        body="同志们:\n一、提高认识\n王明市长讲了<script>alert(1)</script>的问题。",
        region=city,
    )
    Section.objects.create(
        speech=speech, order=1, number="一、", heading="提高认识", level=1, start=5, end=11
    )
    SpeechTopic.objects.create(speech=speech, topic=topic, score=1.0)
    Citation.objects.create(speech=speech, official=official, mention="王明市长", offset=12)
    withdrawn = make_speech(
        title="已撤回的讲话", body="同志们:\n撤回。", status=Speech.WITHDRAWN, region=city
    )
    return {
        "province": province,
        "topic": topic,
        "official": official,
        "speech": speech,
        "withdrawn": withdrawn,
    }


def rss_titles(response):
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


def test_latest_feed_lists_published_speeches_as_valid_rss(client, archive):
    response = client.get("/feeds/latest/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert rss_titles(response) == ["全市知识产权工作会议讲话"]
    assert b"<script>" not in response.content


def test_region_feed_includes_sub_regions(client, archive):
    assert rss_titles(client.get("/feeds/regions/62/")) == ["全市知识产权工作会议讲话"]
    assert client.get("/feeds/regions/990000/").status_code == 404


def test_topic_and_official_feeds_list_their_speeches(client, archive):
    assert rss_titles(client.get(f"/feeds/topics/{archive['topic'].slug}/")) == [
        "全市知识产权工作会议讲话"
    ]
    assert rss_titles(client.get(f"/feeds/officials/{archive['official'].pk}/")) == [
        "全市知识产权工作会议讲话"
    ]


def test_sitemap_lists_published_speeches_only(client, archive):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [
        el.text
        for el in ET.fromstring(response.content).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    assert any(loc.endswith(archive["speech"].get_absolute_url()) for loc in locations)
    assert not any(loc.endswith(archive["withdrawn"].get_absolute_url()) for loc in locations)
    assert any(loc.endswith("/regions/6201/") for loc in locations)


def test_speech_downloads_as_plain_text(client, archive):
    response = client.get(f"/speeches/{archive['speech'].uid}/export.txt")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("全市知识产权工作会议讲话\n")
    assert "甘肃省 · 兰州市" in text
    assert "一、提高认识" in text
    assert "attachment" in response["Content-Disposition"]


def test_speech_downloads_as_word_with_outline_headings(client, archive):
    response = client.get(f"/speeches/{archive['speech'].uid}/export.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["一、提高认识"]
    assert any("<script>alert(1)</script>" in p.text for p in document.paragraphs)


def test_a_word_download_survives_control_characters_already_stored(client):
    # Stored before the importer removed them, or typed into the admin.
    speech = make_speech(title="防汛\x01会议\u202e讲话", body="同志们:\n一、提高\x0b认识\n第一页\x0c第二页\x1b。\n\ufffe完。")
    Section.objects.create(speech=speech, order=1, number="一、", heading="提高认识", level=1, start=5, end=13)

    response = client.get(f"/speeches/{speech.uid}/export.docx")

    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert "第一页 第二页 。" in texts and "一、提高 认识" in texts
    assert document.core_properties.title == "防汛 会议\u202e讲话"


def test_withdrawn_speech_cannot_be_downloaded(client, archive):
    assert client.get(f"/speeches/{archive['withdrawn'].uid}/export.txt").status_code == 404
    assert client.get(f"/speeches/{archive['withdrawn'].uid}/export.docx").status_code == 404

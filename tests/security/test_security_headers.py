"""Every response carries a strict Content-Security-Policy (this site's own files only, no
inline script or style, no framing) and a Permissions-Policy; pages hold nothing such a
policy would refuse, the admin's history page included; HEAD works wherever GET does."""

import re

import pytest
from django.urls import reverse

from speeches.models import Citation, Official, SpeechTopic
from tests.curation_helpers import edit_speech, logged_in
from tests.factories import make_region, make_source, make_speech, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(settings):
    settings.SEARCH_INDEX_UPDATES = "immediate"
    region = make_region("62", "甘肃省")
    topic = make_topic("知识产权", "ip")
    official = Official.objects.create(name="王明", title="市长")
    source = make_source(path="/srv/in/page.txt", title="汇编")
    speech = make_speech(title="知识产权工作会议讲话", body="同志们:\n王明市长讲话。", region=region, source=source, year=2024)
    SpeechTopic.objects.create(speech=speech, topic=topic, score=1.0)
    Citation.objects.create(speech=speech, official=official, mention="王明市长", offset=4)
    return {"speech": speech, "topic": topic, "official": official, "source": source}


def _public_urls(archive):
    speech, topic, official = archive["speech"], archive["topic"], archive["official"]
    return [
        "/", "/speeches/", speech.get_absolute_url(), f"/speeches/{speech.uid}/export.txt",
        f"/speeches/{speech.uid}/export.docx", f"/sources/{archive['source'].pk}/", "/regions/", "/regions/62/",
        "/regions/unknown/", "/topics/", f"/topics/{topic.slug}/", "/topics/unclassified/", "/officials/",
        f"/officials/{official.pk}/", "/years/", "/years/2024/", "/search/?q=知识产权", "/search/",
        "/api/speeches/", f"/api/speeches/{speech.uid}/", "/api/search/?q=知识产权", "/api/search/?q=知识产权&format=csv",
        "/api/regions/", "/api/topics/", "/api/officials/", "/api/schema/", "/feeds/latest/", "/feeds/regions/62/",
        f"/feeds/topics/{topic.slug}/", f"/feeds/officials/{official.pk}/", "/feeds/search/?q=知识产权", "/healthz",
        "/sitemap.xml", "/admin/login/",
    ]


def _assert_strict_policies(response, path):
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'", path
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", path
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'", path
    assert "unsafe" not in policy, path
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_every_response_carries_the_policies(client, archive):
    for path in [*_public_urls(archive), "/speeches/nothing-here/", "/api/speeches/nothing/"]:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        _assert_strict_policies(response, path)
    curator = logged_in(client, "curator")
    for path in (reverse("admin:index"), reverse("admin:speeches_speech_changelist")):
        _assert_strict_policies(curator.get(path), path)


# What a strict policy refuses: inline scripts, style elements and attributes, handlers.
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
_INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def _assert_nothing_inline(html, path):
    assert not _INLINE_SCRIPT.search(html), path
    found = _INLINE_STYLE.search(html)
    assert not found, (path, html[max(0, found.start() - 200) : found.end() + 100] if found else "")


def test_pages_hold_nothing_a_strict_policy_refuses(client, archive):
    for path in _public_urls(archive):
        response = client.get(path)
        if response["Content-Type"].startswith("text/html"):
            _assert_nothing_inline(response.content.decode(), path)


def test_the_admin_history_page_has_no_inline_style(client, archive):
    curator = logged_in(client, "curator")
    speech = archive["speech"]
    # Two versions, so the history lists them with its paginator.
    edit_speech(curator, speech, title="知识产权工作会议上的讲话")
    html = curator.get(reverse("admin:speeches_speech_history", args=[speech.pk])).content.decode()
    assert "知识产权工作会议上的讲话" in html
    _assert_nothing_inline(html, "history")


def test_head_works_wherever_get_does(client, archive):
    for path in _public_urls(archive):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, (path, head.status_code)
        assert head["Content-Type"] == get["Content-Type"], path
        assert not (b"".join(head.streaming_content) if head.streaming else head.content), path


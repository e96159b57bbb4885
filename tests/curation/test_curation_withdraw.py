"""Withdrawing a speech through the admin takes it off every public surface at once:
its page answers 410, browse counts, feeds, the sitemap and search drop it. Publishing
it again brings it back everywhere."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from speeches.models import Speech, SpeechTopic
from tests.curation_helpers import logged_in, run_action
from tests.factories import make_region, make_speech, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


@pytest.fixture
def speech():
    region = make_region("62", "甘肃省")
    topic = make_topic("防汛抗旱", "flood-control")
    speech = make_speech(title="全省防汛工作会议讲话", body="同志们:\n做好汛期河道巡查。", region=region)
    SpeechTopic.objects.create(speech=speech, topic=topic, score=1.0)
    # Another speech keeps the region and topic pages alive, so their counts can drop.
    other = make_speech(title="全省抗旱工作会议讲话", body="同志们:\n抓好抗旱保苗。", region=region)
    SpeechTopic.objects.create(speech=other, topic=topic, score=1.0)
    return speech


def public_state(client, speech):
    """What the public sees of `speech`: page status, counts, feed, sitemap, search."""
    home = client.get(reverse("speeches:home"))
    topic_page = client.get(reverse("speeches:topic_detail", args=["flood-control"]))
    feed = ET.fromstring(client.get(reverse("speeches:feed_latest")).content)
    sitemap = client.get(reverse("speeches:sitemap")).content.decode()
    found = client.get(reverse("speeches:api_search"), {"q": "河道巡查"}).json()
    return {
        "page": client.get(speech.get_absolute_url()).status_code,
        "home count": home.context["speech_count"],
        "topic count": topic_page.context["page"].paginator.count,
        "in feed": speech.title in [item.findtext("title") for item in feed.iter("item")],
        "in sitemap": speech.get_absolute_url() in sitemap,
        "search hits": found["total"],
    }


def test_withdrawing_and_publishing_in_the_admin_hide_and_show_a_speech_everywhere(client, speech):
    shown = {"page": 200, "home count": 2, "topic count": 2, "in feed": True, "in sitemap": True, "search hits": 1}
    hidden = {"page": 410, "home count": 1, "topic count": 1, "in feed": False, "in sitemap": False, "search hits": 0}
    assert public_state(client, speech) == shown

    curator = logged_in(client, "curator")
    response = run_action(curator, "speech", "withdraw_speeches", [speech])
    assert response.status_code == 302
    client.logout()
    assert public_state(client, speech) == hidden

    run_action(logged_in(client, "curator", username="second"), "speech", "publish_speeches", [speech])
    client.logout()
    assert public_state(client, speech) == shown


def test_the_withdraw_action_is_offered_to_curators(curator, speech):
    response = curator.get(reverse("admin:speeches_speech_changelist"))

    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "withdraw_speeches" in actions and "publish_speeches" in actions


def test_publishing_leaves_a_merged_copy_withdrawn(curator, speech):
    copy = make_speech(title="重复的讲话", body="同志们:\n重复。", status=Speech.WITHDRAWN, merged_into=speech)

    run_action(curator, "speech", "publish_speeches", [copy])

    copy.refresh_from_db()
    assert copy.status == Speech.WITHDRAWN
    assert curator.get(copy.get_absolute_url()).status_code == 301

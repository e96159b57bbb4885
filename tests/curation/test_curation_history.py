"""Edit history: who changed what and when, for a speech and its region, topics and
cited officials; the speech's admin history page shows the changes and reverts them."""

import pytest
from django.urls import reverse

from speeches.models import Citation, Official, Speech, SpeechTopic
from tests.curation_helpers import (
    COUNTY_PAGE,
    change_form_data,
    edit_speech,
    logged_in,
    run_action,
    upload,
)
from tests.factories import make_region, make_speech, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


@pytest.fixture
def curator(client):
    return logged_in(client, "curator", username="editor_li")


@pytest.fixture
def speech():
    speech = make_speech(title="全县春耕生产会议讲话", body="同志们:\n抓好春耕备耕。", region=make_region("61", "陕西省"))
    # Extraction writes topics in bulk: no history rows of their own.
    SpeechTopic.objects.bulk_create([SpeechTopic(speech=speech, topic=make_topic("农村水利", "rural-water"), score=0.9)])
    return speech


def history_page(client, speech):
    return client.get(reverse("admin:speeches_speech_history", args=[speech.pk]))


def test_the_history_page_shows_who_changed_the_region_and_when(curator, speech):
    county = make_region("610925", "岚皋县", level="county")

    edit_speech(curator, speech, region=county.pk)

    response = history_page(curator, speech)
    assert response.status_code == 200
    latest = response.context["page_obj"][0]
    assert latest.history_user.username == "editor_li"
    assert latest.region_id == county.pk
    changes = {str(change["field"]): (str(change["old"]), str(change["new"])) for change in latest.history_delta_changes}
    assert changes["地区"] == ("陕西省", "岚皋县")
    assert "editor_li" in response.content.decode()


def test_reverting_a_region_change_restores_the_old_region(curator, speech):
    province = speech.region
    edit_speech(curator, speech, region=make_region("610925", "岚皋县", level="county").pk)
    before = speech.history.filter(region=province).order_by("-history_date").first()

    url = reverse("admin:speeches_speech_simple_history", args=[speech.pk, before.history_id])
    form_page = curator.get(url)
    assert form_page.status_code == 200
    response = curator.post(url, change_form_data(form_page))

    assert response.status_code == 302
    speech.refresh_from_db()
    assert speech.region == province
    # The revert is itself a recorded change, by the curator who made it.
    assert speech.history.latest().history_user.username == "editor_li"


def test_a_hand_edited_title_is_recorded_with_its_old_value(curator, speech):
    edit_speech(curator, speech, title="全县春耕生产工作会议上的讲话")

    titles = list(speech.history.order_by("history_date").values_list("title", flat=True))

    assert titles[0] == "全县春耕生产会议讲话"
    assert titles[-1] == "全县春耕生产工作会议上的讲话"


def test_removing_a_topic_shows_in_the_history_and_can_be_undone(curator, speech):
    url = reverse("admin:speeches_speech_change", args=[speech.pk])
    data = change_form_data(curator.get(url))
    data["speechtopic_set-0-DELETE"] = "on"
    curator.post(url, data)
    assert not speech.topics.exists()

    page = history_page(curator, speech)
    (removal,) = [r for r in page.context["assignment_changes"] if r.history_type == "-"]
    assert removal.history_user.username == "editor_li"
    assert "主题：农村水利" in page.content.decode()
    revert = reverse(
        "admin:speeches_speech_revert_assignment", args=[speech.pk, "speechtopic", removal.history_id]
    )
    curator.post(revert)

    assert list(speech.topics.values_list("slug", flat=True)) == ["rural-water"]
    speech.refresh_from_db()
    assert "topics" in speech.locked_fields


def test_an_added_official_mention_can_be_undone(curator, speech):
    official = Official.objects.create(name="王建林", title="副县长")
    url = reverse("admin:speeches_speech_change", args=[speech.pk])
    data = change_form_data(curator.get(url))
    data.update({
        "citations-TOTAL_FORMS": "1",
        "citations-0-official": str(official.pk),
        "citations-0-mention": "王建林",
        "citations-0-offset": "0",
        "citations-0-confidence": "1.0",
    })
    curator.post(url, data)
    assert list(speech.officials.all()) == [official]

    (added,) = history_page(curator, speech).context["assignment_changes"]
    curator.post(reverse("admin:speeches_speech_revert_assignment", args=[speech.pk, "citation", added.history_id]))

    assert not Citation.objects.filter(speech=speech).exists()


def test_changing_a_topic_row_records_the_state_before_it(curator, speech):
    other = make_topic("生态环境", "eco")
    url = reverse("admin:speeches_speech_change", args=[speech.pk])
    data = change_form_data(curator.get(url))
    data["speechtopic_set-0-topic"] = str(other.pk)
    curator.post(url, data)

    change = next(r for r in history_page(curator, speech).context["assignment_changes"] if r.history_type == "~")
    curator.post(reverse("admin:speeches_speech_revert_assignment", args=[speech.pk, "speechtopic", change.history_id]))

    assert list(speech.topics.values_list("slug", flat=True)) == ["rural-water"]


def test_a_revert_asks_for_post(curator, speech):
    response = curator.get(reverse("admin:speeches_speech_revert_assignment", args=[speech.pk, "speechtopic", 1]))

    assert response.status_code == 405


def test_every_change_is_listed_in_the_archive_wide_change_log(curator, speech):
    edit_speech(curator, speech, title="新标题")

    response = curator.get(reverse("admin:speeches_historicalspeech_changelist"))

    assert response.status_code == 200
    assert "新标题" in response.content.decode()
    assert Speech.history.filter(history_user__username="editor_li").exists()


def test_re_extraction_does_not_bury_the_curators_changes(curator):
    upload(curator, ("county.txt", COUNTY_PAGE.read_bytes()))
    speech = Speech.objects.get(title="工作会议领导讲话")
    assert speech.citations.exists()

    run_action(curator, "speech", "reextract_speeches", [speech])
    run_action(curator, "speech", "reextract_speeches", [speech])

    assert history_page(curator, speech).context["assignment_changes"] == []


def test_an_import_keeps_one_complete_history_row_per_new_speech(curator):
    upload(curator, ("county.txt", COUNTY_PAGE.read_bytes()))

    speech = Speech.objects.get(title="工作会议领导讲话")
    assert Speech.history.count() == Speech.objects.count() == 2
    (record,) = speech.history.all()
    # The state after extraction: a revert to it gives the imported speech back.
    assert record.region_id == speech.region_id and record.keywords == speech.keywords

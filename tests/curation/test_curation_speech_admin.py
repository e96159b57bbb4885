"""The speech admin as curators use it: filters and search, hand edits that re-import
and re-extraction leave alone (fixing a wrong region), re-extract and reindex actions,
and splitting a speech the importer joined with the next."""

import pytest
from django.urls import reverse

from speeches import search
from speeches.models import Region, Section, Speech, SpeechTopic
from tests.curation_helpers import COUNTY_PAGE, edit_speech, run_action, upload
from tests.factories import make_region, make_source, make_speech, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def listed(client, **params):
    response = client.get(reverse("admin:speeches_speech_changelist"), params)
    assert response.status_code == 200
    return {speech.title for speech in response.context["cl"].result_list}


def test_the_changelist_filters_by_province_region_confidence_topic_kind_and_source(curator):
    shaanxi, gansu = make_region("61", "陕西省"), make_region("62", "甘肃省")
    county = Region.objects.get(code="610925")
    topic = make_topic("防汛抗旱", "flood-control")
    source = make_source("page.txt", "汇编甲")
    sure = make_speech(title="县里的讲话", body="一。", region=county, region_confidence=0.9, source=source)
    make_speech(title="省里的讲话", body="二。", region=gansu, region_confidence=0.4)
    make_speech(title="不知何处的讲话", body="三。", kind=Speech.WORK_REPORT)
    SpeechTopic.objects.create(speech=sure, topic=topic, score=1.0)

    assert listed(curator, province=shaanxi.code) == {"县里的讲话"}
    assert listed(curator, has_region="no") == {"不知何处的讲话"}
    assert listed(curator, has_region="yes") == {"县里的讲话", "省里的讲话"}
    assert listed(curator, region_confidence="high") == {"县里的讲话"}
    assert listed(curator, region_confidence="low") == {"省里的讲话"}
    assert listed(curator, region_confidence="none") == {"不知何处的讲话"}
    assert listed(curator, topics__id__exact=topic.pk) == {"县里的讲话"}
    assert listed(curator, kind__exact=Speech.WORK_REPORT) == {"不知何处的讲话"}
    assert listed(curator, source__id__exact=source.pk) == {"县里的讲话"}


def test_the_changelist_searches_titles_and_texts(curator):
    make_speech(title="防汛讲话", body="同志们:\n加固堤防。")
    make_speech(title="春耕讲话", body="同志们:\n抓好育苗。")

    assert listed(curator, q="加固堤防") == {"防汛讲话"}
    assert listed(curator, q="春耕") == {"春耕讲话"}


def test_region_topic_and_official_fields_are_edited_with_autocomplete(curator):
    speech = make_speech()

    html = curator.get(reverse("admin:speeches_speech_change", args=[speech.pk])).content.decode()

    for field in ("id_region", "id_speaker", "id_citations-__prefix__-official", "id_speechtopic_set-__prefix__-topic"):
        assert f'id="{field}"' in html
    assert html.count("admin-autocomplete") >= 4


def _county_speech():
    return Speech.objects.get(title="工作会议领导讲话")


def test_a_wrong_region_fixed_by_hand_survives_a_reimport(curator):
    upload(curator, ("county.txt", COUNTY_PAGE.read_bytes()), status="published")
    speech = _county_speech()
    assert speech.region.code == "610925"  # what the text says: 岚皋 …
    right = Region.objects.get(code="610924")  # … but say the curator knows better

    response = edit_speech(curator, speech, region=right.pk)

    assert response.status_code == 302
    speech.refresh_from_db()
    assert speech.region == right and "region" in speech.locked_fields
    # The same file again, and a changed one: the speech is updated and re-extracted.
    upload(curator, ("county.txt", COUNTY_PAGE.read_bytes()), status="published")
    changed = COUNTY_PAGE.read_text(encoding="utf-8").replace("再立新功。", "再立新功。岚皋的明天会更好。")
    response = upload(curator, ("county.txt", changed.encode()), status="published")
    (report,) = response.context["reports"]
    assert report.updated == [speech.uid]
    speech.refresh_from_db()
    assert "岚皋的明天会更好" in speech.body
    assert speech.region == right
    # The text still names 岚皋, now as a place mentioned, not as the speech's region.
    assert speech.region_mentions.filter(region__code="610925").exists()
    assert not speech.region_mentions.filter(is_primary=True).exists()


def test_hand_edited_title_and_body_survive_a_reimport(curator):
    upload(curator, ("county.txt", COUNTY_PAGE.read_bytes()))
    speech = _county_speech()
    body = speech.body.replace("同志们:", "同志们:\n一、抓好春耕")

    edit_speech(curator, speech, title="在全县春季农业生产工作会议上的讲话", body=body)

    speech.refresh_from_db()
    assert {"title", "body"} <= set(speech.locked_fields)
    # The outline follows the edited text.
    assert list(speech.sections.values_list("heading", flat=True)) == ["抓好春耕"]
    changed = COUNTY_PAGE.read_text(encoding="utf-8").replace("再立新功。", "再立新功。后记。")
    upload(curator, ("county.txt", changed.encode()))
    speech.refresh_from_db()
    assert speech.title == "在全县春季农业生产工作会议上的讲话"
    assert "后记" not in speech.body


def test_reextraction_keeps_locked_fields_and_refreshes_the_rest(curator):
    upload(curator, ("county.txt", COUNTY_PAGE.read_bytes()))
    speech = _county_speech()
    right = Region.objects.get(code="610924")
    speech.region, speech.locked_fields, speech.keywords = right, ["region"], []
    speech.save()

    response = run_action(curator, "speech", "reextract_speeches", [speech])

    assert response.status_code == 302
    speech.refresh_from_db()
    assert speech.region == right
    assert speech.keywords  # extracted again


def test_the_reindex_action_repairs_entries_changed_behind_the_index(curator):
    speech = make_speech(title="讲话", body="旧的内容。")
    Speech.objects.filter(pk=speech.pk).update(body="悄悄换上的新内容。")  # no signal, no queue
    assert not search.check().ok

    run_action(curator, "speech", "reindex_speeches", [speech])

    assert search.check().ok
    assert search.search({"q": "悄悄换上"}).total == 1


def test_a_wrongly_joined_speech_is_split_in_two(curator):
    body = "\n".join([
        "同志们:", "一、抓好防汛", "汛期将至,各地要加强巡查。",
        "同志们:", "一、抓好春耕", "春耕时节,各乡镇要调度农机。", "二、保障供应", "化肥种子要备足。",
    ])
    speech = make_speech(title="防汛工作会议讲话", body=body, source=make_source(), position=3)
    page = curator.get(reverse("admin:speeches_speech_split", args=[speech.pk]))
    assert page.status_code == 200 and "春耕时节" in page.content.decode()

    response = curator.post(
        reverse("admin:speeches_speech_split", args=[speech.pk]), {"paragraph": 4, "title": "春耕工作会议讲话"}
    )

    assert response.status_code == 302
    speech.refresh_from_db()
    second = Speech.objects.get(title="春耕工作会议讲话")
    assert second.uid != speech.uid and second.source == speech.source
    assert speech.body.endswith("汛期将至,各地要加强巡查。")
    assert second.body.startswith("同志们:\n一、抓好春耕")
    assert list(speech.sections.values_list("heading", flat=True)) == ["抓好防汛"]
    assert list(second.sections.values_list("heading", flat=True)) == ["抓好春耕", "保障供应"]
    section = Section.objects.get(speech=second, heading="保障供应")
    assert second.body[section.start:].startswith("二、保障供应")
    assert {"title", "body"} <= set(speech.locked_fields) & set(second.locked_fields)
    assert second.keywords  # extraction ran on the new speech
    assert search.search({"q": "调度农机"}).hits[0].speech == second
    assert curator.get(second.get_absolute_url()).status_code == 200


def test_a_split_asks_for_a_paragraph_inside_the_speech_and_a_title(curator):
    speech = make_speech(body="同志们:\n第一段。\n第二段。")
    url = reverse("admin:speeches_speech_split", args=[speech.pk])

    too_far = curator.post(url, {"paragraph": 9, "title": "后一篇"})
    no_title = curator.post(url, {"paragraph": 2, "title": " "})

    assert "段落编号应在 2 到 3 之间" in too_far.content.decode()
    assert no_title.context["form"].errors
    assert Speech.objects.count() == 1


def test_the_change_form_links_to_the_split_page(curator):
    speech = make_speech()

    html = curator.get(reverse("admin:speeches_speech_change", args=[speech.pk])).content.decode()

    assert reverse("admin:speeches_speech_split", args=[speech.pk]) in html

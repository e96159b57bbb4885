"""The review queue: doubtful extractions and what the importer did (repaired fragments,
merged copies) with approve, reject and fix; decisions survive re-import."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from speeches.ingest.pipeline import import_paths
from speeches.models import Region, ReviewItem, Speech
from tests.curation_helpers import (
    COMPILATION,
    COUNTY_PAGE,
    edit_speech,
    run_action,
    upload,
)
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def queue(client, **params):
    response = client.get(reverse("admin:speeches_reviewitem_changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_repairs_and_merged_copies_from_an_upload_join_the_queue(curator):
    upload(curator, ("compilation_basic.txt", COMPILATION.read_bytes()))

    items = queue(curator, field__exact=ReviewItem.REPAIR)
    (repair,) = items
    assert repair.speech.title == "街道社区服务工作会议讲话"
    assert repair.value == "刚才,张红梅同志在工作报告中对上半年的工作作了全面"
    (copy,) = queue(curator, field__exact=ReviewItem.DUPLICATE)
    assert copy.speech == repair.speech and copy.value.startswith("并入了页面第 ")


def test_approved_flags_stay_approved_after_a_reimport(curator):
    upload(curator, ("compilation_basic.txt", COMPILATION.read_bytes()))
    flags = [item for item in queue(curator) if item.field in (ReviewItem.REPAIR, ReviewItem.DUPLICATE)]

    run_action(curator, "reviewitem", "accept_items", flags)
    changed = COMPILATION.read_text(encoding="utf-8").replace("我都同意。\n\n下半年", "我都同意。\n\n今年下半年")
    response = upload(curator, ("compilation_basic.txt", changed.encode()))

    assert response.context["reports"][0].updated
    pending = queue(curator, status__exact=ReviewItem.PENDING)
    assert not [item for item in pending if item.field in (ReviewItem.REPAIR, ReviewItem.DUPLICATE)]
    assert ReviewItem.objects.filter(pk__in=[f.pk for f in flags], status=ReviewItem.ACCEPTED).count() == 2


def test_fixing_a_repair_replaces_the_paragraph_and_keeps_it_on_reimport(curator):
    upload(curator, ("compilation_basic.txt", COMPILATION.read_bytes()))
    (repair,) = queue(curator, field__exact=ReviewItem.REPAIR)
    url = reverse("admin:speeches_reviewitem_fix", args=[repair.pk])
    form_page = curator.get(url)
    assert form_page.context["form"].initial["text"].startswith("刚才,张红梅同志在工作报告中")

    fixed = "刚才,张红梅同志在工作报告中对上半年的社区工作作了全面回顾,我都同意。"
    assert curator.post(url, {"text": fixed}).status_code == 302

    speech = repair.speech
    speech.refresh_from_db()
    assert fixed in speech.body and "body" in speech.locked_fields
    repair.refresh_from_db()
    assert repair.status == ReviewItem.REJECTED
    upload(curator, ("compilation_basic.txt", COMPILATION.read_bytes().replace("我都同意".encode(), "我完全同意".encode())))
    speech.refresh_from_db()
    assert fixed in speech.body


def test_a_doubtful_region_is_fixed_from_the_queue_and_survives_reimport(curator):
    upload(curator, ("county.txt", COUNTY_PAGE.read_bytes()))
    speech = Speech.objects.get(title="区知识产权工作会议总结")
    item = ReviewItem.objects.create(speech=speech, field=ReviewItem.REGION, value="000000", confidence=0.3)
    right = Region.objects.filter(name="青山区").order_by("code").first()

    response = curator.post(reverse("admin:speeches_reviewitem_fix", args=[item.pk]), {"region": right.pk})

    assert response.status_code == 302
    speech.refresh_from_db()
    assert speech.region == right and "region" in speech.locked_fields
    item.refresh_from_db()
    assert item.status == ReviewItem.REJECTED and item.decided_by.username == "curator"
    changed = COUNTY_PAGE.read_text(encoding="utf-8").replace("有力支撑。", "有力支撑。会议还部署了下阶段工作。")
    upload(curator, ("county.txt", changed.encode()))
    speech.refresh_from_db()
    assert "下阶段工作" in speech.body and speech.region == right


def test_the_fix_page_of_a_region_uses_the_region_autocomplete(curator):
    speech = make_speech()
    item = ReviewItem.objects.create(speech=speech, field=ReviewItem.REGION, value="61", confidence=0.3)

    html = curator.get(reverse("admin:speeches_reviewitem_fix", args=[item.pk])).content.decode()

    assert "admin-autocomplete" in html and 'name="region"' in html


def test_a_wrong_official_is_renamed_in_the_speech(curator):
    upload(curator, ("county.txt", COUNTY_PAGE.read_bytes()))
    speech = Speech.objects.get(title="工作会议领导讲话")
    citation = speech.citations.select_related("official").first()
    item = ReviewItem.objects.create(
        speech=speech, field=ReviewItem.OFFICIAL, value=citation.official.name, confidence=0.3
    )

    curator.post(reverse("admin:speeches_reviewitem_fix", args=[item.pk]), {"name": "王建国", "title": "县长"})

    assert speech.citations.filter(official__name="王建国").exists()
    assert not speech.citations.filter(official__name=item.value).exists()
    speech.refresh_from_db()
    assert "officials" in speech.locked_fields


def test_a_wrong_date_is_corrected(curator):
    speech = make_speech()
    item = ReviewItem.objects.create(speech=speech, field=ReviewItem.DATE, value="2019-03-01", confidence=0.4)

    curator.post(reverse("admin:speeches_reviewitem_fix", args=[item.pk]), {"date": "2019-03-11"})

    speech.refresh_from_db()
    assert speech.date.isoformat() == "2019-03-11" and speech.year == 2019
    assert {"date", "year"} <= set(speech.locked_fields)


def test_a_bad_fix_is_shown_again_with_the_error(curator):
    speech = make_speech()
    item = ReviewItem.objects.create(speech=speech, field=ReviewItem.DATE, value="2019-03-01", confidence=0.4)

    response = curator.post(reverse("admin:speeches_reviewitem_fix", args=[item.pk]), {"date": "not a date"})

    assert response.status_code == 200 and response.context["form"].errors
    item.refresh_from_db()
    assert item.status == ReviewItem.PENDING


def test_a_region_set_by_hand_answers_the_pending_region_question(curator):
    speech = make_speech(region=Region.objects.get(code="61"))
    item = ReviewItem.objects.create(speech=speech, field=ReviewItem.REGION, value="61", confidence=0.4)

    edit_speech(curator, speech, region=Region.objects.get(code="62").pk)

    item.refresh_from_db()
    assert item.status == ReviewItem.REJECTED


def test_the_speech_list_filters_speeches_waiting_for_review(curator):
    waiting = make_speech(title="待审核的讲话", body="一。")
    make_speech(title="无需审核的讲话", body="二。")
    ReviewItem.objects.create(speech=waiting, field=ReviewItem.TOPIC, value="x", confidence=0.2)

    response = curator.get(reverse("admin:speeches_speech_changelist"), {"needs_review": "yes"})

    assert [s.title for s in response.context["cl"].result_list] == ["待审核的讲话"]


def test_speeches_imported_from_the_command_line_are_flagged_by_the_import_itself(curator):
    import_paths([COMPILATION])
    # Queued in the import's transaction: no page has to be read first.
    assert ReviewItem.objects.get(field=ReviewItem.REPAIR).speech.title == "街道社区服务工作会议讲话"

    with CaptureQueriesContext(connection) as queries:
        response = curator.get(reverse("admin:speeches_speech_changelist"), {"needs_review": "yes"})

    assert "街道社区服务工作会议讲话" in {s.title for s in response.context["cl"].result_list}
    # Reading the list writes nothing.
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                and "django_session" not in q["sql"]]


def test_queued_values_show_region_and_topic_names_not_codes(curator):
    speech = make_speech()
    ReviewItem.objects.create(speech=speech, field=ReviewItem.REGION, value="14", confidence=0.4)
    ReviewItem.objects.create(speech=speech, field=ReviewItem.TOPIC, value="economy", confidence=0.4)

    html = curator.get(reverse("admin:speeches_reviewitem_changelist")).content.decode()

    assert "山西省（14）" in html
    assert ">经济发展<" in html and ">economy<" not in html


def test_notes_earlier_imports_wrote_in_english_are_rewritten_in_chinese():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("speeches.migrations.0014_importer_notes_in_chinese")
    merged = make_speech(title="甲")
    merged.import_log = [{"kind": "merged_copy", "note": "merged a copy from line 67 of the page"}]
    merged.save()
    split_off = make_speech(title="乙", import_log=[{"kind": "split", "note": "split from 1a2b3c at paragraph 4"}])
    decided = ReviewItem.objects.create(
        speech=merged, field=ReviewItem.DUPLICATE, value="merged a copy from line 67 of the page",
        confidence=0.5, status=ReviewItem.ACCEPTED,
    )

    migration.forwards(apps, None)

    merged.refresh_from_db()
    split_off.refresh_from_db()
    decided.refresh_from_db()
    assert merged.import_log == [{"kind": "merged_copy", "note": "并入了页面第 67 行起的副本"}]
    assert split_off.import_log == [{"kind": "split", "note": "由 1a2b3c 第 4 段起拆分而来"}]
    assert (decided.value, decided.status) == ("并入了页面第 67 行起的副本", ReviewItem.ACCEPTED)

"""Merging duplicates in the admin: the curator picks the copy to keep on a confirmation
page; the others redirect to it and leave lists and search."""

import pytest
from django.urls import reverse

from speeches.ingest.flags import sync_import_flags
from speeches.models import ReviewItem, Speech
from tests.curation_helpers import change_form_data, run_action
from tests.factories import make_source, make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]

TEXT = "同志们:\n今年要把秸秆综合利用作为重点工作来抓。"


@pytest.fixture
def twins():
    first = make_speech(title="秸秆综合利用工作会议讲话", body=TEXT, source=make_source("a.txt", "汇编甲"))
    second = Speech.objects.create(
        uid="twin000002", title=first.title, body=TEXT, content_hash=first.content_hash,
        source=make_source("b.txt", "汇编乙"), status=Speech.PUBLISHED,
    )
    # As the importer does for the speeches of each file it stores.
    sync_import_flags([first.pk, second.pk])
    return first, second


def search_ids(client):
    hits = client.get(reverse("speeches:api_search"), {"q": "秸秆综合利用"}).json()["results"]
    return [hit["id"] for hit in hits]


def test_merging_keeps_the_chosen_copy_and_redirects_the_other(curator, twins):
    first, second = twins
    assert sorted(search_ids(curator)) == sorted([first.uid, second.uid])

    confirm = run_action(curator, "speech", "merge_speeches", [first, second])
    page = curator.get(confirm["Location"])
    assert page.status_code == 200
    assert [s.pk for s in page.context["speeches"]] == [first.pk, second.pk]
    response = curator.post(confirm["Location"], {"ids": f"{first.pk},{second.pk}", "keep": second.pk})

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.merged_into == second and first.status == Speech.WITHDRAWN
    old = curator.get(first.get_absolute_url())
    assert old.status_code == 301 and old["Location"] == second.get_absolute_url()
    assert search_ids(curator) == [second.uid]
    assert curator.get(reverse("speeches:speech_list")).context["page"].paginator.count == 1


def test_the_confirmation_page_asks_before_anything_changes(curator, twins):
    confirm = run_action(curator, "speech", "merge_speeches", list(twins))

    html = curator.get(confirm["Location"]).content.decode()

    assert 'name="keep"' in html and "合并" in html
    assert not Speech.objects.exclude(merged_into=None).exists()


def test_merging_needs_two_speeches(curator, twins):
    response = curator.get(reverse("admin:speeches_speech_merge"), {"ids": str(twins[0].pk)}, follow=True)

    assert "至少选择两篇" in response.content.decode()


def test_a_copy_merged_earlier_follows_to_the_new_keeper(curator, twins):
    first, second = twins
    third = make_speech(title="第三份", body=TEXT + "第三份。", status=Speech.WITHDRAWN, merged_into=first)

    curator.post(reverse("admin:speeches_speech_merge"), {"ids": f"{first.pk},{second.pk}", "keep": second.pk})

    third.refresh_from_db()
    assert third.merged_into == second
    assert curator.get(third.get_absolute_url())["Location"] == second.get_absolute_url()


def test_a_merged_copy_cannot_be_the_one_kept(curator, twins):
    first, second = twins
    other = make_speech(title="别的讲话", body="别的。")
    first.merged_into, first.status = other, Speech.WITHDRAWN
    first.save()

    response = curator.post(
        reverse("admin:speeches_speech_merge"), {"ids": f"{first.pk},{second.pk}", "keep": first.pk}, follow=True
    )

    assert "已并入另一篇讲话" in response.content.decode()
    second.refresh_from_db()
    assert second.merged_into is None


def test_the_review_queue_flags_equal_texts_and_its_fix_is_the_merge(curator, twins):
    first, second = twins
    assert curator.get(reverse("admin:speeches_reviewitem_changelist")).status_code == 200
    flag = ReviewItem.objects.get(field=ReviewItem.DUPLICATE)
    assert flag.speech == second and flag.value == f"同文:{first.uid}"

    fix = curator.get(reverse("admin:speeches_reviewitem_fix", args=[flag.pk]))
    assert fix.status_code == 302 and f"ids={second.pk},{first.pk}" in fix["Location"]
    curator.post(reverse("admin:speeches_speech_merge"), {"ids": f"{first.pk},{second.pk}", "keep": first.pk})

    flag.refresh_from_db()
    assert flag.status == ReviewItem.ACCEPTED
    # Merged copies are no longer asked about.
    assert ReviewItem.objects.filter(status=ReviewItem.PENDING, field=ReviewItem.DUPLICATE).count() == 0


def test_a_merge_is_undone_from_the_history(curator, twins):
    first, second = twins
    curator.post(reverse("admin:speeches_speech_merge"), {"ids": f"{first.pk},{second.pk}", "keep": second.pk})
    before = first.history.order_by("history_date").first()
    assert before.merged_into_id is None and before.history_user is None

    url = reverse("admin:speeches_speech_simple_history", args=[first.pk, before.history_id])
    curator.post(url, change_form_data(curator.get(url)))

    first.refresh_from_db()
    assert first.merged_into is None and first.status == Speech.PUBLISHED
    assert curator.get(first.get_absolute_url()).status_code == 200

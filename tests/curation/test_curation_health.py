"""The search health page: drift between database and index (repaired only when a
curator asks), the last rebuild, searches counted without personal data, and the
curators' own dictionary words."""

import pytest
from django.urls import reverse

from speeches import search, search_log
from speeches.models import DictionaryTerm, Job, SearchQueryLog, Speech
from speeches.search import dictionary
from tests.curation_helpers import logged_in, run_jobs
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]
HEALTH = "admin:speeches_search_health"


def test_drift_is_shown_and_repaired_only_when_the_curator_asks(curator):
    speech = make_speech(title="讲话", body="原来的文字。")
    Speech.objects.filter(pk=speech.pk).update(body="换过的文字。")  # behind the index's back

    page = curator.get(reverse(HEALTH))

    assert page.status_code == 200
    assert page.context["drift"].stale == [speech.pk]
    assert "有差异" in page.content.decode()
    assert not search.check().ok  # looking did not repair

    response = curator.post(reverse(HEALTH), {"repair": "1"})

    assert response.status_code == 302
    assert not search.check().ok  # the repair is a background job
    job = Job.objects.get()
    assert job.kind == Job.REPAIR_INDEX and job.started_by.username == "curator"
    assert f"任务 #{job.pk}" in curator.get(reverse(HEALTH)).content.decode()
    run_jobs()
    assert search.check().ok
    assert "一致" in curator.get(reverse(HEALTH)).content.decode()


def test_the_last_rebuild_time_is_shown(curator):
    make_speech()
    assert curator.get(reverse(HEALTH)).context["last_rebuilt_at"] is not None  # first build
    search.rebuild()

    rebuilt = curator.get(reverse(HEALTH)).context["last_rebuilt_at"]

    assert rebuilt == search.last_rebuilt_at()


def test_searches_are_counted_per_day_with_their_words_only(client):
    make_speech(title="防汛讲话", body="同志们:\n加固堤防。")

    for query in ("堤防", " 堤防 ", "没有这个词语"):
        client.get(reverse("speeches:search"), {"q": query})
    client.get(reverse("speeches:api_search"), {"q": "堤防"})
    client.get(reverse("speeches:search"), {"q": "堤防", "page": "2"})  # a page turned, not a new search
    assert not SearchQueryLog.objects.exists()  # spooled: no write while searching

    assert search_log.flush() == 4
    rows = {row.query: (row.count, row.results_count) for row in SearchQueryLog.objects.all()}
    assert rows == {"堤防": (3, 1), "没有这个词语": (1, 0)}
    fields = {field.name for field in SearchQueryLog._meta.get_fields()}
    assert fields == {"id", "query", "day", "count", "results_count"}


def test_frequent_and_zero_result_searches_are_listed(client):
    make_speech(title="防汛讲话", body="同志们:\n加固堤防。")
    for query in ("堤防", "堤防", "无此内容", "另一个无结果的词"):
        client.get(reverse("speeches:search"), {"q": query})

    page = logged_in(client, "curator").get(reverse(HEALTH))

    assert [row["query"] for row in page.context["frequent"]][0] == "堤防"
    assert {row["query"] for row in page.context["zero_results"]} == {"无此内容", "另一个无结果的词"}
    html = page.content.decode()
    assert "无此内容" in html and "不记录访问者" in html


def test_a_dictionary_word_added_on_the_page_shapes_segmentation_and_reindexes(curator):
    speech = make_speech(title="讲话", body="同志们:\n推进岭上云田建设。")
    assert "岭上云田" not in dictionary.cut_words("推进岭上云田建设")

    response = curator.post(reverse(HEALTH), {"add_term": "1", "term": " 岭上云田 "})

    assert response.status_code == 302
    term = DictionaryTerm.objects.get()
    assert term.term == "岭上云田" and term.added_by.username == "curator"
    assert "岭上云田" in dictionary.cut_words("推进岭上云田建设")
    assert search.check().ok
    assert search.search({"q": "岭上云田"}).hits[0].speech == speech
    assert "岭上云田" in curator.get(reverse(HEALTH)).content.decode()


def test_a_duplicate_or_empty_dictionary_word_is_refused(curator):
    DictionaryTerm.objects.create(term="岭上云田")

    again = curator.post(reverse(HEALTH), {"add_term": "1", "term": "岭上云田"})
    empty = curator.post(reverse(HEALTH), {"add_term": "1", "term": "。"})

    assert "已在词典中" in again.content.decode()
    assert empty.context["term_form"].errors
    assert DictionaryTerm.objects.count() == 1


def test_removing_a_dictionary_word_in_the_admin_reloads_the_vocabulary(curator):
    curator.post(reverse(HEALTH), {"add_term": "1", "term": "岭上云田"})
    term = DictionaryTerm.objects.get()

    curator.post(reverse("admin:speeches_dictionaryterm_delete", args=[term.pk]), {"post": "yes"})

    assert "岭上云田" not in dictionary.vocabulary()
    assert "岭上云田" not in dictionary.cut_words("推进岭上云田建设")


def test_a_viewer_sees_the_health_page_but_cannot_repair_or_add_words(client):
    viewer = logged_in(client, "viewer")

    page = viewer.get(reverse(HEALTH))

    assert page.status_code == 200
    assert not page.context["can_repair"] and not page.context["can_add_term"]
    assert viewer.post(reverse(HEALTH), {"repair": "1"}).status_code == 403
    assert viewer.post(reverse(HEALTH), {"add_term": "1", "term": "岭上云田"}).status_code == 403
    assert DictionaryTerm.objects.count() == 0


def test_the_admin_index_links_to_the_health_page_import_and_queue(curator):
    html = curator.get(reverse("admin:index")).content.decode()

    for name in (HEALTH, "admin:speeches_source_import", "admin:speeches_reviewitem_changelist"):
        assert reverse(name) in html


def test_words_added_in_the_dictionary_admin_are_checked_and_loaded(curator):
    url = reverse("admin:speeches_dictionaryterm_add")

    refused = curator.post(url, {"term": "!"})
    curator.post(url, {"term": "禾下 乘凉"})

    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    assert list(DictionaryTerm.objects.values_list("term", flat=True)) == ["禾下乘凉"]
    assert "禾下乘凉" in dictionary.vocabulary()

"""rebuild_index --if-needed (what `make run` calls): builds the index when there is none
or its schema changed, applies the queue or repairs what differs when it is out of step,
and does nothing when it is current."""

import pytest
from django.core.management import call_command

from speeches import search
from speeches.models import PendingIndexUpdate, Speech
from speeches.search import drift, store, whoosh_backend
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def rebuild_if_needed(capsys):
    call_command("rebuild_index", "--if-needed")
    return capsys.readouterr().out


def titles(query):
    return {hit.speech.title for hit in search.search({"q": query}).hits}


def test_without_an_index_it_builds_one(settings, capsys):
    settings.SEARCH_INDEX_UPDATES = "queue"
    make_speech(title="防汛讲话", body="防汛工作。")
    assert store.current_generation() is None

    out = rebuild_if_needed(capsys)

    assert "还没有检索索引" in out and "已索引 1 篇讲话" in out
    assert titles("防汛") == {"防汛讲话"}
    assert search.index_state() == search.CURRENT


def test_a_current_index_is_left_as_it_is(capsys):
    make_speech(title="防汛讲话", body="防汛工作。")
    call_command("rebuild_index")
    capsys.readouterr()
    generation = store.current_generation()

    out = rebuild_if_needed(capsys)

    assert out.strip() == "检索索引已是最新，不必重建。"
    assert store.current_generation() == generation


def test_queued_updates_are_applied_without_a_rebuild(settings, capsys):
    make_speech(title="防汛讲话", body="防汛工作。")
    generation = store.current_generation()
    settings.SEARCH_INDEX_UPDATES = "queue"
    make_speech(title="抗旱讲话", body="抗旱工作。")
    assert search.index_state() == search.UNSURE

    out = rebuild_if_needed(capsys)

    assert "应用了排队的 1 篇更新" in out
    assert store.current_generation() == generation
    assert titles("抗旱") == {"抗旱讲话"}


def test_speeches_changed_behind_the_index_are_reindexed_and_no_more(settings, capsys):
    edited = make_speech(title="防汛讲话", body="防汛工作。")
    removed = make_speech(title="抗旱讲话", body="抗旱工作。")
    generation = store.current_generation()
    settings.SEARCH_INDEX_UPDATES = "queue"
    # Bulk writes send no signals, and the queue of the deletion is lost.
    Speech.objects.filter(pk=edited.pk).update(title="防汛抗旱讲话")
    removed.delete()
    PendingIndexUpdate.objects.all().delete()
    assert search.index_state() == search.UNSURE

    out = rebuild_if_needed(capsys)

    assert "核对 1 篇讲话，重新索引了 2 篇" in out
    assert store.current_generation() == generation
    assert titles("抗旱") == {"防汛抗旱讲话"}
    assert search.check().ok


def test_an_index_written_with_other_fields_is_rebuilt(monkeypatch, capsys):
    make_speech(title="防汛讲话", body="防汛工作。")
    generation = store.current_generation()
    real_schema = whoosh_backend.build_schema

    def schema_with_another_field():
        schema = real_schema()
        schema.add("language", schema["kind"])
        return schema

    monkeypatch.setattr(whoosh_backend, "build_schema", schema_with_another_field)
    assert search.index_state() == search.OTHER_SCHEMA

    out = rebuild_if_needed(capsys)

    assert "结构已经改变" in out and "已索引 1 篇讲话" in out
    assert store.current_generation() != generation


def test_the_sample_covers_a_large_archive_from_first_to_newest(settings):
    settings.SEARCH_INDEX_UPDATES = "queue"
    speeches = [make_speech(title=f"讲话{n}", body=f"正文{n}。") for n in range(drift.STATE_SAMPLE * 2 + 1)]
    call_command("rebuild_index")
    assert search.index_state() == search.CURRENT

    # The newest speech edited behind the index's back: the same count, a stale entry.
    Speech.objects.filter(pk=speeches[-1].pk).update(title="改过的讲话")
    PendingIndexUpdate.objects.all().delete()

    assert search.index_state() == search.UNSURE

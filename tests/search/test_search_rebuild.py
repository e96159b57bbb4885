"""rebuild_index builds a new generation beside the served one and switches to it only
when complete: a failed rebuild leaves the old index serving."""

import pytest
from django.core.management import call_command

from speeches import search
from speeches.models import PendingIndexUpdate, Speech
from speeches.search import indexing, store

pytestmark = pytest.mark.django_db


def titles(query):
    return {hit.speech.title for hit in search.search({"q": query}).hits}


def bulk_speech(title, body):
    # bulk_create sends no signals: only a rebuild (or check_index --repair) indexes it.
    return Speech.objects.bulk_create(
        [Speech(uid=f"bulk{abs(hash(title)) % 10**8}", title=title, body=body, content_hash=title)]
    )[0]


def test_rebuild_indexes_every_speech_and_serves_the_new_generation():
    search.rebuild()
    first = store.current_generation()
    bulk_speech("批量写入的讲话", "没有经过信号的文本。")

    count = search.rebuild()

    assert count == 1
    assert store.current_generation() != first
    assert titles("信号") == {"批量写入的讲话"}


def test_rebuild_keeps_one_previous_generation_and_drops_older_ones():
    for _ in range(4):
        search.rebuild()

    generations = [p for p in store.root().iterdir() if p.name.startswith(store.GENERATION_PREFIX)]
    assert len(generations) == 1 + store.KEEP_PREVIOUS
    assert store.current_generation() in generations


def test_a_failed_rebuild_leaves_the_old_index_serving(monkeypatch):
    bulk_speech("旧索引里的讲话", "防汛工作。")
    search.rebuild()
    served = store.current_generation()
    bulk_speech("新加的讲话", "防汛物资。")

    def broken(speech):
        raise OSError("disk full")

    monkeypatch.setattr(indexing, "document", broken)
    with pytest.raises(OSError):
        search.rebuild()
    monkeypatch.undo()

    assert store.current_generation() == served
    assert titles("防汛") == {"旧索引里的讲话"}
    # The half-built generation is gone.
    generations = [p for p in store.root().iterdir() if p.name.startswith(store.GENERATION_PREFIX)]
    assert generations == [served]


def test_changes_queued_during_a_rebuild_are_in_the_new_index(monkeypatch, settings):
    settings.SEARCH_INDEX_UPDATES = "queue"
    speech = bulk_speech("讲话", "旧的说法。")
    real_document = indexing.document
    edited = []

    def document_then_edit(indexed):
        entry = real_document(indexed)
        if not edited:  # a curator saves the speech right after the rebuild read it
            speech.body = "新的说法。"
            speech.save()
            edited.append(True)
        return entry

    monkeypatch.setattr(indexing, "document", document_then_edit)
    search.rebuild()

    assert titles("新的说法") == {"讲话"}
    # Quoted: the old text as typed (unquoted, its word 说法 would still find the speech).
    assert titles('"旧的说法"') == set()
    assert PendingIndexUpdate.objects.count() == 0


def test_updates_queued_before_a_rebuild_are_not_applied_again(monkeypatch, settings):
    settings.SEARCH_INDEX_UPDATES = "queue"
    for number in range(5):
        speech = bulk_speech(f"排队的讲话{number}", f"排队等待索引的正文{number}。")
        PendingIndexUpdate.objects.create(speech_id=speech.pk)
    applied = []
    real_apply = indexing._apply
    monkeypatch.setattr(indexing, "_apply", lambda ix, writer, ids: applied.append(ids) or real_apply(ix, writer, ids))

    assert search.rebuild() == 5

    assert applied == []  # the rebuild read all five after they were queued
    assert PendingIndexUpdate.objects.count() == 0
    assert titles("排队等待索引") == {f"排队的讲话{number}" for number in range(5)}


def test_a_failed_rebuild_keeps_the_queue_the_old_index_still_needs(monkeypatch, settings):
    search.rebuild()
    settings.SEARCH_INDEX_UPDATES = "queue"
    speech = bulk_speech("排队的讲话", "排队等待索引的正文。")
    PendingIndexUpdate.objects.create(speech_id=speech.pk)
    monkeypatch.setattr(indexing, "document", lambda speech: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        search.rebuild()

    assert PendingIndexUpdate.objects.filter(speech_id=speech.pk).count() == 1
    monkeypatch.undo()
    search.process_pending()
    assert titles("排队等待索引") == {"排队的讲话"}


def test_rebuild_index_command_reports_what_it_indexed(capsys):
    bulk_speech("讲话", "正文。")

    call_command("rebuild_index")

    assert "已索引 1 篇讲话" in capsys.readouterr().out
    assert titles("正文") == {"讲话"}

"""A large rebuild is written by several processes, one index segment each; it must
find and rank exactly what a rebuild by one process does, and a failure in any of
them leaves the old index serving. A large batch of queued updates is split between
two processes the same way; a failure leaves it queued."""

import multiprocessing
import os

import pytest
from whoosh import index as whoosh_index

from speeches import search
from speeches.models import PendingIndexUpdate, Speech
from speeches.search import bulk, dictionary, indexing, schema, store
from tests.factories import make_speech

pytestmark = pytest.mark.django_db

QUERIES = ["防汛", "水利工程", '"抗旱保苗"', "农", "河道 -清淤", "堤防 OR 水库"]


@pytest.fixture
def speeches(settings):
    settings.SEARCH_INDEX_UPDATES = "queue"
    parts = ["防汛", "抗旱保苗", "水利工程", "河道清淤", "堤防加固", "水库调度", "农田灌溉", "农村饮水"]
    for number in range(24):
        body = "。".join(parts[(number + i) % len(parts)] * (1 + i % 3) for i in range(number % 5 + 2))
        make_speech(title=f"水利工作讲话{number}", body=body, year=2000 + number % 7)
    # Applied now, so that neither rebuild below re-writes queued speeches (which would
    # leave deleted documents in one index and change its statistics).
    search.process_pending()


@pytest.fixture
def parallel(monkeypatch, settings):
    # Every rebuild in parallel, in batches small enough for both processes to get some.
    monkeypatch.setattr(indexing, "PARALLEL_MIN_SPEECHES", 0)
    monkeypatch.setattr(indexing, "LOAD_BATCH", 5)
    settings.SEARCH_REBUILD_PROCESSES = 2


def answers():
    """Per query: total, facets, the scores shown, and which speeches hold each score.
    Speeches of equal score may come in either order (and, at the page's end, either may
    be the one shown): the order of ties follows document numbers, which differ between
    one segment and several."""
    found = {}
    for query in QUERIES:
        results = search.search({"q": query})
        scores = [hit.score for hit in results.hits]
        lowest = min(scores, default=None)
        above_lowest = sorted((hit.speech.pk, hit.score) for hit in results.hits if hit.score != lowest)
        found[query] = (results.total, scores, above_lowest, results.facets)
    return found


def test_a_rebuild_by_several_processes_finds_and_ranks_what_one_process_does(speeches, settings, request, monkeypatch):
    search.rebuild()
    by_one = answers()

    request.getfixturevalue("parallel")
    started = []
    new_task = indexing._ParallelWriter._new_task

    def counted(writer):
        started.append(writer)
        return new_task(writer)

    monkeypatch.setattr(indexing._ParallelWriter, "_new_task", counted)
    count = search.rebuild()

    assert count == Speech.objects.count()
    # Two writer processes took the batches. Each writes its own segment, unless the
    # other took every batch before it started (a loaded machine): one or two segments.
    assert len(started) == 2
    assert 1 <= len(list(store.searcher().reader().leaf_readers())) <= 2
    assert answers() == by_one


def test_small_rebuilds_are_written_by_one_process(settings):
    settings.SEARCH_REBUILD_PROCESSES = 4

    assert indexing.rebuild_processes(indexing.PARALLEL_MIN_SPEECHES - 1) == 1
    assert indexing.rebuild_processes(indexing.PARALLEL_MIN_SPEECHES) == 4


def test_a_failed_parallel_rebuild_leaves_the_old_index_serving(speeches, parallel, monkeypatch):
    search.rebuild()
    served, before = store.current_generation(), answers()
    real_document = indexing.document
    written = []

    def document_then_fail(speech):
        if len(written) == 12:
            raise OSError("disk full")
        written.append(speech.pk)
        return real_document(speech)

    monkeypatch.setattr(indexing, "document", document_then_fail)
    with pytest.raises(OSError):
        search.rebuild()

    assert store.current_generation() == served
    assert answers() == before


def test_a_writer_process_that_dies_fails_the_rebuild(speeches, parallel, monkeypatch):
    search.rebuild()
    served, before = store.current_generation(), answers()
    real_document = indexing.document

    def unwritable(speech):
        entry = real_document(speech)
        entry["title_words"] = 12345  # the writer process raises on a number for a text field
        return entry

    monkeypatch.setattr(indexing, "document", unwritable)
    with pytest.raises(indexing.RebuildError):
        search.rebuild()

    assert store.current_generation() == served
    assert answers() == before


@pytest.fixture
def split_updates(monkeypatch, settings):
    # Every batch of queued updates of four speeches or more split between two processes.
    monkeypatch.setattr(indexing, "PARALLEL_APPLY_MIN", 4)
    settings.SEARCH_REBUILD_PROCESSES = 2


def found():
    """Per query: total, the speeches found, facets (scores aside: the replaced entries
    still count in the statistics until their segment is merged)."""
    return {
        query: (results.total, sorted(hit.speech.pk for hit in results.hits), results.facets)
        for query in QUERIES
        for results in [search.search({"q": query})]
    }


def test_queued_updates_written_by_two_processes_find_what_one_process_wrote(speeches, request):
    search.rebuild()
    by_one = found()
    request.getfixturevalue("split_updates")
    for speech in Speech.objects.all():
        speech.save()  # queued again: every entry replaced

    assert search.process_pending() == Speech.objects.count()

    searcher = store.searcher()  # the shared one: not closed here
    # One entry a speech; the two halves written as two new segments (the rebuilt ones,
    # every entry replaced, dropped).
    assert searcher.doc_count() == Speech.objects.count()
    assert len(list(searcher.reader().leaf_readers())) == 2
    assert found() == by_one
    assert not PendingIndexUpdate.objects.exists()


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_a_failure_of_the_forked_half_leaves_the_updates_queued(speeches, split_updates, monkeypatch, failure):
    before = found()
    parent = os.getpid()
    add_document = bulk.SegmentSeries.add_document

    def failing_in_the_fork(series, **fields):
        if os.getpid() != parent:
            if failure == "dies":
                os._exit(3)
            raise OSError("disk full")
        return add_document(series, **fields)

    monkeypatch.setattr(bulk.SegmentSeries, "add_document", failing_in_the_fork)
    revised = list(Speech.objects.order_by("pk")[:6])
    for speech in revised:
        speech.title = f"{speech.title}修订稿"
        speech.save()

    with pytest.raises(indexing.IndexWriteError, match="disk full" if failure == "raises" else "without its segment"):
        search.process_pending()

    assert PendingIndexUpdate.objects.count() == len(revised)
    assert search.search({"q": "修订稿"}).total == 0
    assert found() == before
    monkeypatch.setattr(bulk.SegmentSeries, "add_document", add_document)
    search.process_pending()
    assert search.search({"q": "修订稿"}).total == len(revised)


def _split_in_a_daemonic_worker(path, docs):
    ix = whoosh_index.open_dir(str(path))
    bulk.publish_segments(ix, indexing._written_in_two(ix, docs, to_document=dict))


def test_a_batch_is_split_inside_a_daemonic_worker_as_the_extraction_drains_run(tmp_path):
    """The extraction drain's workers are daemonic multiprocessing children, which may
    not start children of their own: the split forks all the same."""
    dictionary.segmenter()  # its vocabulary file written here, from the database
    whoosh_index.create_in(str(tmp_path), schema.build_schema())
    docs = [{"id": str(number), "title_words": f"水利工作讲话{number}", "body_words": "防汛抗旱，水库调度。" * (number + 1),
             "body_chars": "防汛抗旱，水库调度。" * (number + 1), "status": "published"} for number in range(10)]
    worker = multiprocessing.get_context("fork").Process(
        target=_split_in_a_daemonic_worker, args=(tmp_path, docs), daemon=True
    )
    worker.start()
    worker.join(timeout=120)

    assert worker.exitcode == 0
    with whoosh_index.open_dir(str(tmp_path)).searcher() as searcher:
        assert searcher.doc_count() == len(docs)
        assert len(list(searcher.reader().leaf_readers())) == 2
        assert searcher.doc_frequency("body_words", "防汛") == len(docs)


def _small_segments_to_merge(monkeypatch):
    """Four one-speech segments of a size (speeches 0, 5, 10 and 15 have bodies of the
    same shape), with merges of four: the next commit merges them."""
    monkeypatch.setattr(bulk, "MERGE_FAN_IN", 4)
    search.rebuild()
    for number in (0, 5, 10, 15):
        Speech.objects.get(title=f"水利工作讲话{number}").save()
        search.process_pending()
    return len(list(store.searcher().reader().leaf_readers()))


def test_a_merge_made_by_a_large_update_is_shared_with_a_forked_process(speeches, monkeypatch, request):
    by_one = found()
    segments_before = _small_segments_to_merge(monkeypatch)
    request.getfixturevalue("split_updates")
    # Not speeches of the small segments: one of those replaced would leave its segment
    # empty, dropped rather than merged.
    for speech in Speech.objects.filter(title__in=[f"水利工作讲话{number}" for number in (1, 2, 3, 4)]):
        speech.save()

    assert search.process_pending() == 4

    searcher = store.searcher()
    assert searcher.doc_count() == Speech.objects.count()
    # The four small segments became two (half merged here, half in the forked process);
    # the update's halves are two more.
    assert len(list(searcher.reader().leaf_readers())) == segments_before - 4 + 2 + 2
    assert found() == by_one


def test_a_failure_of_the_forked_merge_leaves_the_updates_queued(speeches, monkeypatch, request):
    _small_segments_to_merge(monkeypatch)
    request.getfixturevalue("split_updates")
    before = found()
    parent = os.getpid()
    read_into = bulk._read_into

    def failing_in_the_fork(writer, segments):
        if os.getpid() != parent:
            raise OSError("disk full")
        return read_into(writer, segments)

    monkeypatch.setattr(bulk, "_read_into", failing_in_the_fork)
    revised = list(Speech.objects.filter(title__in=[f"水利工作讲话{number}" for number in (1, 2, 3, 4)]))
    for speech in revised:
        speech.title = f"{speech.title}修订稿"
        speech.save()

    with pytest.raises(indexing.IndexWriteError, match="disk full") as failed:
        search.process_pending()

    # The failed commit let go of Whoosh's write lock (its writer is still referenced here).
    lock = store.open_for_writing().lock("WRITELOCK")
    assert failed.traceback and lock.acquire()
    lock.release()
    assert PendingIndexUpdate.objects.count() == len(revised)
    assert found() == before
    monkeypatch.setattr(bulk, "_read_into", read_into)
    search.process_pending()
    assert search.search({"q": "修订稿"}).total == len(revised)


def test_a_segment_whose_every_entry_was_replaced_is_dropped_at_the_next_commit(speeches):
    search.rebuild()
    by_one = found()
    rebuilt = {segment.segment_id() for segment in store.open_for_writing()._segments()}
    for speech in Speech.objects.all():
        speech.save()  # queued again: every entry of the rebuilt segments replaced

    search.process_pending()

    segments = store.open_for_writing()._segments()
    assert not rebuilt & {segment.segment_id() for segment in segments}
    assert sum(segment.doc_count_all() for segment in segments) == Speech.objects.count()
    assert found() == by_one

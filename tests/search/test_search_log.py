"""Searches are counted without a database write on the request path: spooled to a file
in the data folder, folded into SearchQueryLog in batches by the worker (or the health
page), with every search of every process counted once."""

import multiprocessing
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from speeches import search_log
from speeches.models import SearchQueryLog
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def test_a_search_writes_nothing_to_the_database(client):
    make_speech(title="防汛讲话", body="同志们:\n加固堤防。")
    for path in ("/search/", "/api/search/", "/feeds/search/"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, {"q": "堤防"}).status_code == 200
        writes = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == [], path
    assert search_log.flush() == 2  # the page and the API; a feed is not a search typed
    assert SearchQueryLog.objects.get(query="堤防").count == 2


def test_a_flush_folds_many_searches_into_one_row_per_day_and_words():
    for query, found in (("防汛", 3), (" 防汛 ", 4), ("Flood", 0), ("flood", 0)):
        search_log.record(query, found)

    assert search_log.flush() == 4

    rows = {row.query: (row.count, row.results_count) for row in SearchQueryLog.objects.all()}
    assert rows == {"防汛": (2, 4), "flood": (2, 0)}
    assert search_log.flush() == 0  # nothing counted twice
    search_log.record("防汛", 5)
    search_log.flush()
    assert SearchQueryLog.objects.get(query="防汛").count == 3


def test_a_batch_left_by_a_flush_that_died_is_counted_by_the_next(settings):
    search_log.record("抗旱", 1)
    spool = settings.SPOOL_DIR / search_log.SPOOL
    spool.rename(settings.SPOOL_DIR / "searches.20240101000000-dead.batch")  # renamed, then the flush died
    search_log.record("抗旱", 1)

    assert search_log.flush() == 2
    assert not list(settings.SPOOL_DIR.glob(search_log.BATCH_GLOB))


def _spool_searches(spool_dir, count):
    from django.conf import settings

    settings.SPOOL_DIR = spool_dir
    for n in range(count):
        search_log.record(f"词{n % 7}", n)
    os._exit(0)


def test_searches_spooled_by_several_processes_while_flushing_are_each_counted_once(settings):
    processes = [
        multiprocessing.get_context("fork").Process(target=_spool_searches, args=(settings.SPOOL_DIR, 300))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    counted = 0
    while any(process.is_alive() for process in processes):
        counted += search_log.flush()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    counted += search_log.flush()

    assert counted == 1200
    assert sum(SearchQueryLog.objects.values_list("count", flat=True)) == 1200


def test_head_of_a_search_is_not_counted(client):
    client.head("/search/", {"q": "知识产权"})
    client.head("/api/search/", {"q": "知识产权"})
    assert search_log.flush() == 0

"""The index follows the database: every change to a speech or its rows is queued in
its own transaction and applied after commit by a single writer, from any process."""

import fcntl
import os
import subprocess
import sys
import textwrap

import pytest
from django.db import transaction

from speeches import search
from speeches.models import Citation, Official, PendingIndexUpdate, Region, Section, Speech
from speeches.search import signals, store
from tests.conftest import PROJECT_DIR
from tests.factories import make_region, make_speech, make_topic


def titles(query, **params):
    return {hit.speech.title for hit in search.search({"q": query, **params}).hits}


@pytest.mark.django_db
def test_a_new_speech_is_searchable_once_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_speech(title="新建的讲话", body="推进河长制落实。")
        # Queued with the change, in the same transaction; not yet in the index.
        assert PendingIndexUpdate.objects.count() == 1
        assert titles("河长制") == set()

    assert titles("河长制") == {"新建的讲话"}
    assert PendingIndexUpdate.objects.count() == 0


@pytest.mark.django_db
def test_an_edited_speech_is_found_by_its_new_text_only(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        speech = make_speech(title="讲话", body="原来讲的是防汛。")
    with django_capture_on_commit_callbacks(execute=True):
        speech.body = "现在讲的是抗旱。"
        speech.save()

    assert titles("防汛") == set()
    assert titles("抗旱") == {"讲话"}


@pytest.mark.django_db
def test_publishing_and_withdrawing_show_and_hide_a_speech(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        speech = make_speech(title="草稿讲话", body="生态保护。", status=Speech.DRAFT)
    assert titles("生态保护") == set()

    with django_capture_on_commit_callbacks(execute=True):
        speech.status = Speech.PUBLISHED
        speech.save()
    assert titles("生态保护") == {"草稿讲话"}

    with django_capture_on_commit_callbacks(execute=True):
        speech.status = Speech.WITHDRAWN
        speech.save()
    assert titles("生态保护") == set()


@pytest.mark.django_db
def test_a_deleted_speech_leaves_the_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        speech = make_speech(title="要删的讲话", body="乡村振兴。")
        Section.objects.create(speech=speech, order=1, number="一、", heading="乡村", level=1, start=0, end=5)
    with django_capture_on_commit_callbacks(execute=True):
        speech.delete()

    assert titles("乡村振兴") == set()
    assert search.check().ok


@pytest.mark.django_db
def test_changes_to_topics_officials_and_sections_reach_the_index(django_capture_on_commit_callbacks):
    topic = make_topic("防汛抗旱", "flood-sync")
    official = Official.objects.create(name="赵钱孙")
    with django_capture_on_commit_callbacks(execute=True):
        speech = make_speech(title="讲话", body="一、防汛\n防汛工作。")
    with django_capture_on_commit_callbacks(execute=True):
        speech.topics.add(topic)
        Citation.objects.create(speech=speech, official=official, mention="赵钱孙", offset=0)
        Section.objects.create(speech=speech, order=1, number="一、", heading="防汛", level=1, start=0, end=len(speech.body))

    assert titles("防汛", topic="flood-sync") == {"讲话"}
    assert titles("防汛", official=str(official.pk)) == {"讲话"}
    assert search.search({"q": "防汛"}).hits[0].section_anchor == "s1"

    with django_capture_on_commit_callbacks(execute=True):
        topic.speeches.clear()
    assert titles("防汛", topic="flood-sync") == set()


@pytest.mark.django_db
def test_one_transaction_with_many_changes_is_applied_in_one_writer_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for number in range(30):
            make_speech(title=f"批量讲话{number}", body=f"批量导入第{number}篇。")

    assert len(callbacks) == 1  # one drain for the whole transaction
    assert len(search.search({"q": "批量导入"}).hits) == 10
    assert search.search({"q": "批量导入"}).total == 30


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing_and_later_commits_still_index():
    with pytest.raises(RuntimeError), transaction.atomic():
        make_speech(title="回滚的讲话", body="不应出现。")
        raise RuntimeError("abort")
    assert PendingIndexUpdate.objects.count() == 0

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # savepoint rolled back
            make_speech(title="也回滚了", body="不应出现。")
            raise RuntimeError("abort")
        make_speech(title="提交的讲话", body="应当出现。")

    assert titles("出现") == {"提交的讲话"}
    assert PendingIndexUpdate.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_edit_while_another_writer_holds_the_lock_is_applied_when_it_finishes():
    make_speech(title="先有的讲话", body="防汛。")
    store.root()
    with open(store.root() / store.LOCK_FILE, "a+") as other_writer:
        fcntl.flock(other_writer.fileno(), fcntl.LOCK_EX)
        # The commit neither waits nor fails; the change waits in the queue.
        make_speech(title="后来的讲话", body="防汛。")
        assert PendingIndexUpdate.objects.count() == 1
        assert titles("防汛") == {"先有的讲话"}
        fcntl.flock(other_writer.fileno(), fcntl.LOCK_UN)
    # What the holder would do before letting go: drain the queue.
    search.process_pending()

    assert titles("防汛") == {"先有的讲话", "后来的讲话"}


WORKER = textwrap.dedent(
    """
    import sys, django
    django.setup()
    from django.db import transaction
    from speeches.identity import content_hash
    from speeches.models import Speech
    worker = int(sys.argv[1])
    for number in range(12):
        with transaction.atomic():
            body = f"并发写入 进程{worker}号 第{number}篇。"
            digest = content_hash(body)
            speech = Speech.objects.create(uid=f"w{worker}n{number}", title=f"进程{worker}的讲话{number}",
                                           body=body, content_hash=digest)
        if number % 3 == 2:
            with transaction.atomic():
                speech.body += "又改了一次。"
                speech.save()
    """
)

REPORT = textwrap.dedent(
    """
    import django
    django.setup()
    from speeches.models import PendingIndexUpdate
    from speeches import search
    print(PendingIndexUpdate.objects.count(), search.search({"q": "并发写入"}).total,
          search.search({"q": "又改了一次"}).total)
    """
)


def test_concurrent_edits_from_several_processes_reach_the_index_without_lock_errors(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_INDEX_DIR")}
    env.update(
        ARCHIVE_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="archive.settings",
        PYTHONPATH=str(PROJECT_DIR),
    )
    python = sys.executable

    def run(*args):
        return subprocess.run(args, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)

    assert run(python, "manage.py", "migrate", "-v0").returncode == 0
    workers = [
        subprocess.Popen([python, "-c", WORKER, str(n)], cwd=PROJECT_DIR, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(3)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]

    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "LockError" not in err and "Traceback" not in err, err
    pending, written, edited = run(python, "-c", REPORT).stdout.split()
    assert (pending, written, edited) == ("0", "36", "12")
    check = run(python, "manage.py", "check_index")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.django_db
def test_moving_a_region_reindexes_the_speeches_below_it(django_capture_on_commit_callbacks):
    old_province = make_region("13", "河北省")
    new_province = make_region("11", "北京市")
    city = make_region("1399", "测试市", Region.PREFECTURE, old_province)
    county = make_region("139901", "测试县", Region.COUNTY, city)
    with django_capture_on_commit_callbacks(execute=True):
        make_speech(title="县里的讲话", body="防汛。", region=county)
    assert titles("防汛", region=old_province.code) == {"县里的讲话"}

    with django_capture_on_commit_callbacks(execute=True):
        city.parent = new_province
        city.save()

    assert titles("防汛", region=old_province.code) == set()
    assert titles("防汛", region=new_province.code) == {"县里的讲话"}


@pytest.mark.django_db
def test_a_renamed_topic_slug_reaches_the_index(django_capture_on_commit_callbacks):
    topic = make_topic("防汛抗旱", "flood-old")
    with django_capture_on_commit_callbacks(execute=True):
        make_speech(title="讲话", body="防汛。").topics.add(topic)
    with django_capture_on_commit_callbacks(execute=True):
        topic.slug = "flood-new"
        topic.save()

    assert titles("防汛", topic="flood-new") == {"讲话"}
    assert titles("防汛", topic="flood-old") == set()


@pytest.mark.django_db
def test_a_copy_merged_into_another_speech_is_not_found_until_unmerged(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept = make_speech(title="保留的讲话", body="防汛工作。")
        copy = make_speech(title="重复的讲话", body="防汛工作!")
    with django_capture_on_commit_callbacks(execute=True):
        copy.merged_into = kept
        copy.save()
    assert titles("防汛") == {"保留的讲话"}

    with django_capture_on_commit_callbacks(execute=True):
        kept.delete()  # the copy's merged_into is set to NULL without a signal

    assert titles("防汛") == {"重复的讲话"}


@pytest.mark.django_db(transaction=True)
def test_changes_committed_while_updates_are_held_reach_the_index_when_the_hold_ends():
    with search.updates_held():
        # Each save commits on its own (autocommit), and only queues its update.
        make_speech(title="暂缓索引一", body="推进河长制落实。")
        make_speech(title="暂缓索引二", body="河长制巡河到位。")
        assert PendingIndexUpdate.objects.count() == 2
        assert titles("河长制") == set()
        search.apply_queued_now()  # what is queued so far, applied inside the hold
        assert titles("河长制") == {"暂缓索引一", "暂缓索引二"}
        make_speech(title="暂缓索引三", body="河长制考核。")
        assert titles("河长制") == {"暂缓索引一", "暂缓索引二"}

    assert titles("河长制") == {"暂缓索引一", "暂缓索引二", "暂缓索引三"}
    assert PendingIndexUpdate.objects.count() == 0


@pytest.mark.django_db
def test_a_hold_ended_inside_a_transaction_applies_its_queue_when_that_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with search.updates_held():
            make_speech(title="事务中的讲话", body="推进河长制落实。")
        assert titles("河长制") == set()  # not committed yet

    assert titles("河长制") == {"事务中的讲话"}
    assert PendingIndexUpdate.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_hold_that_fails_still_applies_what_it_queued():
    with pytest.raises(RuntimeError), search.updates_held():
        make_speech(title="失败前保存的讲话", body="推进河长制落实。")
        raise RuntimeError("a later step failed")

    assert titles("河长制") == {"失败前保存的讲话"}


@pytest.mark.django_db
def test_a_hold_does_not_hold_the_vocabularys_reload(settings, monkeypatch):
    settings.SEARCH_INDEX_UPDATES = "immediate"
    reloads = []
    monkeypatch.setattr(signals.dictionary, "mark_stale", lambda: reloads.append(True))
    with search.updates_held():
        Official.objects.create(name="郑新名")  # a name extraction found: the next cut knows it
        assert reloads


@pytest.mark.django_db
def test_a_searcher_refreshed_while_a_writer_deletes_a_segment_it_opens_keeps_working(
    django_capture_on_commit_callbacks, monkeypatch
):
    """Between reading the index's table of contents and opening its segments, a writer
    in another process may merge a segment away: Whoosh retries the open. The served
    searcher must come through it (it once closed the old readers twice: a server error)."""
    from whoosh import reading

    with django_capture_on_commit_callbacks(execute=True):
        make_speech(title="第一篇", body="推进河长制落实。")
    before = store.searcher()
    assert before.doc_count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        make_speech(title="第二篇", body="加快河道清淤。")

    opened = reading.SegmentReader.__init__
    calls = []

    def deleted_once(reader, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise FileNotFoundError("merged away by another writer")
        opened(reader, *args, **kwargs)

    monkeypatch.setattr(reading.SegmentReader, "__init__", deleted_once)
    after = store.searcher()
    monkeypatch.setattr(reading.SegmentReader, "__init__", opened)

    assert len(calls) > 1  # the open was retried
    assert after is not before and after.doc_count() == 2
    assert store.searcher() is after
    assert titles("清淤") == {"第二篇"}


def _two_segments_one_served(django_capture_on_commit_callbacks):
    """Two speeches indexed in two commits, a searcher served after the first."""
    with django_capture_on_commit_callbacks(execute=True):
        make_speech(title="第一篇", body="推进河长制落实。")
    store.searcher()
    with django_capture_on_commit_callbacks(execute=True):
        make_speech(title="第二篇", body="加快河道清淤。")


@pytest.mark.django_db
def test_a_searcher_opened_after_a_writer_deleted_a_segment_it_lists_is_opened_again(
    django_capture_on_commit_callbacks, monkeypatch
):
    """A writer may delete a segment after a searcher read the table of contents and
    before it opened the segment's stored fields: the searcher is opened again, from the
    newer table of contents, rather than failing the request."""
    from whoosh.codec import whoosh3

    _two_segments_one_served(django_capture_on_commit_callbacks)

    has_column = whoosh3.W3PerDocReader.has_column
    asked = []

    def gone_once(reader, fieldname):
        asked.append(fieldname)
        return False if asked.count("_stored") == 1 and fieldname == "_stored" else has_column(reader, fieldname)

    monkeypatch.setattr(whoosh3.W3PerDocReader, "has_column", gone_once)
    searcher = store.searcher()
    monkeypatch.setattr(whoosh3.W3PerDocReader, "has_column", has_column)

    assert asked.count("_stored") > 1
    assert searcher.doc_count() == 2
    assert titles("清淤") == {"第二篇"}


@pytest.mark.django_db
def test_a_searcher_opened_as_a_writer_deletes_a_segment_scores_with_the_segments_own_lengths(
    django_capture_on_commit_callbacks, monkeypatch
):
    """The columns searches read besides the stored fields (field lengths, date keys) are
    opened with the searcher too: read at the first search, a column a writer deleted
    meanwhile read as Whoosh's defaults (every length 1: wrong scores), silently."""
    from whoosh import index as whoosh_index
    from whoosh.codec import whoosh3
    from whoosh.codec.whoosh3 import _lenfield

    from speeches.search import bulk, columns

    _two_segments_one_served(django_capture_on_commit_callbacks)

    has_column = whoosh3.W3PerDocReader.has_column
    deleted = []

    def deleted_after_a_newer_table_of_contents(reader, fieldname):
        if fieldname == _lenfield("body_chars") and not deleted:
            deleted.append(fieldname)
            ix = whoosh_index.open_dir(str(store.current_generation()))
            bulk.publish_segments(ix, ix._segments())  # the writer's newer table of contents,
            return False  # then the segment's files deleted
        return has_column(reader, fieldname)

    monkeypatch.setattr(whoosh3.W3PerDocReader, "has_column", deleted_after_a_newer_table_of_contents)
    searcher = store.searcher()
    lengths = columns.for_reader(searcher.reader()).lengths("body_chars")  # as the first search reads them
    monkeypatch.setattr(whoosh3.W3PerDocReader, "has_column", has_column)

    assert deleted
    assert lengths.min() > 1
    assert titles("清淤") == {"第二篇"}

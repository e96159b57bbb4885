"""The extraction queue: an import stores and indexes its speeches and queues their
extraction; the drain (extract_pending, import_speeches after its files, the job worker
when idle) finds regions, officials, topics and the rest, and the speeches become
searchable by them. A killed drain loses nothing; locks, counts and the review queue hold."""

import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from speeches import counts, jobs, search
from speeches.extract import annotate, queue
from speeches.ingest.pipeline import import_paths
from speeches.models import PendingExtraction, PendingIndexUpdate, Region, ReviewItem, Speech
from speeches.processes import worker_name
from speeches.search import indexing
from tests.conftest import FIXTURES_DIR
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]

PAGE = FIXTURES_DIR / "extract_county_page.txt"
# 岚皋县, where the page's spring-farming speech was given (tests/extract/test_extract_annotate.py).
FARM_COUNTY = "610925"


@pytest.fixture(autouse=True)
def extraction_queued(settings):
    settings.EXTRACTION_ON_IMPORT = "queue"


def _import(path=PAGE):
    (report,) = import_paths([path])
    assert report.ok, report.error
    return report


def _farm():
    return Speech.objects.get(body__contains="春季农业生产")


def _dead_worker():
    """The name of a worker process of this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{worker_name().rpartition(':')[0]}:{process.pid}"


def test_an_import_is_searchable_at_once_and_its_extraction_waits_in_the_queue():
    report = _import()
    speeches = Speech.objects.filter(uid__in=report.created)
    assert speeches.count() == len(report.created) > 1
    assert set(PendingExtraction.objects.values_list("speech_id", flat=True)) == set(speeches.values_list("pk", flat=True))
    assert not PendingIndexUpdate.objects.exists()
    farm = _farm()
    assert farm.region is None and not farm.topics.exists()
    assert search.matching_ids({"q": "春季农业生产"}) == {farm.pk}
    assert search.matching_ids({"q": "春季农业生产", "region": FARM_COUNTY}) == set()


@pytest.fixture(params=["half-width", "full-width"])
def county_page(request, tmp_path):
    """The county page as written (half-width ： and （）) and as real documents write it."""
    if request.param == "half-width":
        return PAGE
    page = tmp_path / "extract_county_page_full_width.txt"
    page.write_text(PAGE.read_text(encoding="utf-8").translate(str.maketrans(":()", "：（）")), encoding="utf-8")
    return page


def test_the_drain_extracts_what_an_import_at_once_did_and_makes_it_searchable_by_it(county_page):
    _import(county_page)
    done, failed = queue.drain()
    assert (done, failed) == (Speech.objects.count(), 0)
    assert not PendingExtraction.objects.exists()
    farm = _farm()
    assert farm.region.code == FARM_COUNTY
    assert "农业农村" in farm.topics.values_list("name", flat=True)
    assert set(farm.citations.values_list("official__name", flat=True)) == {"王建林", "周书记", "李春和"}
    assert farm.keywords
    # Each extracted speech was queued for the index again: its region is searchable now.
    assert search.matching_ids({"q": "春季农业生产", "region": FARM_COUNTY}) == {farm.pk}


def test_a_drain_writes_the_index_once_for_several_batches_and_once_at_its_end(monkeypatch):
    _import()
    # Four speeches of the same county, written full-width and half-width.
    for number, (colon, paren) in enumerate([("：", "（）"), (":", "()")] * 2):
        speech = make_speech(
            title=f"在全县春耕工作会议上的讲话{number}",
            body=f"同志们{colon}今年岚皋县春季农业生产{paren[0]}春耕{paren[1]}要早安排。",
        )
        queue.enqueue([speech.pk])
    speeches = PendingExtraction.objects.count()
    assert speeches == 6
    writes = []
    process_pending = indexing.process_pending

    def counted(blocking=False):
        writes.append(PendingIndexUpdate.objects.count())
        return process_pending(blocking=blocking)

    monkeypatch.setattr(indexing, "process_pending", counted)
    monkeypatch.setattr(queue, "INDEX_EVERY", 4)
    assert queue.drain_here(size=1) == speeches
    # One write after four speeches extracted, one at the end; none for each batch.
    assert writes == [4, 2]
    assert not PendingExtraction.objects.exists()
    assert not PendingIndexUpdate.objects.exists()
    found = search.matching_ids({"q": "春季农业生产", "region": FARM_COUNTY})
    assert found == set(Speech.objects.filter(body__contains="春季农业生产").values_list("pk", flat=True))
    assert len(found) == 5  # the four and the page's farming speech


def test_a_queued_import_and_its_drain_leave_the_browse_counts_equal_to_a_recount():
    _import()
    assert counts.recount().ok
    queue.drain()
    assert counts.recount().ok


def test_a_drain_killed_in_a_batch_loses_nothing_and_the_next_drain_finishes(monkeypatch):
    _import()
    total = PendingExtraction.objects.count()
    stored = []
    real = queue.annotate_speech

    def dies_at_the_second(speech, found=None):
        if stored:
            raise SystemExit("killed")  # as a SIGKILL would, mid-transaction
        stored.append(speech.pk)
        return real(speech, found)

    monkeypatch.setattr(queue, "annotate_speech", dies_at_the_second)
    with pytest.raises(SystemExit):
        queue.drain_here()
    # The batch's transaction rolled back: no speech stored, every row still queued, claimed.
    assert PendingExtraction.objects.count() == total
    assert not Speech.objects.exclude(region=None).exists()
    assert PendingExtraction.objects.exclude(claimed_by="").count() == min(total, queue.BATCH)

    # The killed process is gone: its claims are taken again by the next drain.
    PendingExtraction.objects.exclude(claimed_by="").update(claimed_by=_dead_worker())
    monkeypatch.setattr(queue, "annotate_speech", real)
    assert queue.drain() == (total, 0)
    assert not PendingExtraction.objects.exists()
    assert _farm().region.code == FARM_COUNTY


def test_a_batch_failing_outside_its_speeches_hands_its_claims_back(monkeypatch):
    _import()
    total = PendingExtraction.objects.count()

    def database_locked():
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(queue, "taxonomy", database_locked)
    with pytest.raises(sqlite3.OperationalError):
        queue.extract_batch()
    # The worker lives on (the job worker logs and goes on): the next batch may take them.
    assert PendingExtraction.objects.count() == total
    assert not PendingExtraction.objects.exclude(claimed_by="").exists()


def test_a_batch_whose_rows_another_process_claimed_first_takes_the_next_ones(monkeypatch):
    speeches = [make_speech(title=f"讲话{n}", body=f"同志们：\n第{n}次会议，今天我们开会。") for n in range(5)]
    queue.enqueue([s.pk for s in speeches])
    real = queue._unclaimed_ids
    taken_by_other = []

    def other_process_claims_them_first(size):
        ids = real(size)
        if not taken_by_other:  # between this process's read and its claim
            taken_by_other.extend(ids)
            PendingExtraction.objects.filter(pk__in=ids).update(claimed_by="elsewhere:1")
        return ids

    monkeypatch.setattr(queue, "_unclaimed_ids", other_process_claims_them_first)
    # Not 0 ("none waits"): a drain would end there and leave the rest to the other process.
    assert queue.extract_batch(size=2) == 2
    assert len(taken_by_other) == 2
    # The other process's two are left to it; the fifth still waits.
    assert sorted(PendingExtraction.objects.values_list("pk", "claimed_by")) == [
        *((pk, "elsewhere:1") for pk in sorted(taken_by_other)),
        (max(taken_by_other) + 3, ""),
    ]


def test_claims_of_a_live_process_are_left_to_it():
    _import()
    PendingExtraction.objects.update(claimed_by="elsewhere:1")  # another host: cannot be checked
    assert queue.release_abandoned() == 0
    assert queue.drain_here() == 0
    assert PendingExtraction.objects.count() == Speech.objects.count()


def test_an_extraction_that_fails_is_noted_and_the_others_are_stored(monkeypatch):
    _import()
    farm = _farm()
    real = queue.find_in_speech

    def fails_on_the_farm(speech, topics=None):
        if speech.pk == farm.pk:
            raise ValueError("规则出错")
        return real(speech, topics)

    monkeypatch.setattr(queue, "find_in_speech", fails_on_the_farm)
    done, failed = queue.drain()
    assert failed == 1 and done == Speech.objects.count() - 1
    (row,) = PendingExtraction.objects.all()
    assert row.speech_id == farm.pk and row.error == "ValueError: 规则出错" and row.claimed_by == ""
    assert not queue.waiting().exists()

    err = io.StringIO()
    with pytest.raises(CommandError, match="1 篇讲话抽取失败"):
        call_command("extract_pending", stdout=io.StringIO(), stderr=err)
    monkeypatch.setattr(queue, "find_in_speech", real)
    out = io.StringIO()
    call_command("extract_pending", "--retry-failed", stdout=out)
    assert "已抽取 1 篇讲话" in out.getvalue()
    assert _farm().region.code == FARM_COUNTY


def test_the_drain_leaves_fields_a_curator_locked_while_the_speech_waited():
    _import()
    farm = _farm()
    chosen = Region.objects.get(code=FARM_COUNTY).parent  # its city: another region
    farm.region, farm.keywords, farm.locked_fields = chosen, ["我的关键词"], ["region", "keywords"]
    farm.save()
    queue.drain()
    farm.refresh_from_db()
    assert farm.region == chosen and farm.keywords == ["我的关键词"]
    assert farm.topics.exists()  # what was not locked is extracted
    assert not farm.review_items.filter(field=ReviewItem.REGION, status=ReviewItem.PENDING).exists()


def test_a_speech_queued_again_while_a_drain_holds_it_is_extracted_again():
    _import()
    farm = _farm()
    row = PendingExtraction.objects.get(speech=farm)
    found = {row.pk: annotate.find_in_speech(farm)}
    queue.enqueue([farm.pk])  # a re-import of a changed text, before the drain stores
    queue._store([row], found)
    assert PendingExtraction.objects.filter(speech=farm, claimed_by="").exists()


def test_the_job_worker_drains_the_queue_when_no_job_waits():
    _import()
    jobs.work(once=True)
    assert not PendingExtraction.objects.exists()
    assert _farm().region.code == FARM_COUNTY


def test_the_job_worker_leaves_the_extraction_queue_for_a_job_that_is_queued():
    _import()
    jobs.repair_index_job()  # a curator's job, queued while speeches wait for extraction
    assert jobs._extract_waiting(stop=lambda: False) is False
    assert PendingExtraction.objects.count() == Speech.objects.count()
    jobs.work(once=True)  # the job first, then the queue
    assert not PendingExtraction.objects.exists()


def test_import_speeches_extracts_after_its_files_unless_told_to_leave_it_for_later():
    out = io.StringIO()
    call_command("import_speeches", str(PAGE), "--extract", "later", stdout=out)
    assert "篇讲话等待抽取" in out.getvalue() and "extract_pending" in out.getvalue()
    assert PendingExtraction.objects.count() == Speech.objects.count()

    out = io.StringIO()
    call_command("import_speeches", str(FIXTURES_DIR / "ingest" / "compilation_basic.txt"), stdout=out)
    assert "已抽取" in out.getvalue()
    assert not PendingExtraction.objects.exists()
    assert _farm().region.code == FARM_COUNTY

    out = io.StringIO()
    call_command("extract_pending", stdout=out)
    assert out.getvalue().strip() == "没有等待抽取的讲话。"


def test_curators_see_which_speeches_wait_for_extraction(curator):
    _import()
    farm = _farm()
    page = curator.get("/admin/speeches/speech/?extraction=waiting").content.decode()
    assert farm.title in page and "等待抽取" in page
    index = curator.get("/admin/").content.decode()
    assert f"{Speech.objects.count()} 篇讲话已可全文检索" in index
    speech_page = curator.get(f"/admin/speeches/speech/{farm.pk}/change/").content.decode()
    assert "等待抽取：地区、官员、主题等" in speech_page

    queue.drain()
    assert farm.title not in curator.get("/admin/speeches/speech/?extraction=waiting").content.decode()
    assert farm.title in curator.get("/admin/speeches/speech/?extraction=done").content.decode()


@pytest.mark.slow
def test_extract_pending_in_several_processes_killed_and_run_again_extracts_every_speech(tmp_path):
    from tests.live_archive import LiveArchive, write_corpus

    live = LiveArchive(tmp_path / "data").migrate()
    tokens = write_corpus(tmp_path / "corpus", files=1, per_file=60)
    result = live.manage("import_speeches", "--extract", "later", str(tmp_path / "corpus"))
    assert result.returncode == 0, result.stderr
    assert "60 篇讲话等待抽取" in result.stdout

    def waiting():
        with sqlite3.connect(live.data_dir / "archive.sqlite3", timeout=20) as database:
            return database.execute("SELECT count(*) FROM speeches_pendingextraction").fetchone()[0]

    process = live.start(live.manage_args("extract_pending", "--processes", "2"), tmp_path / "extract.log")
    while waiting() > 40 and process.poll() is None:
        time.sleep(0.05)
    # SIGKILL, the drain and its worker processes, mid-batch: their claims stay behind.
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    for pid in [*map(int, children), process.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert waiting() > 0

    rerun = live.manage("extract_pending", "--processes", "2")
    assert rerun.returncode == 0, rerun.stderr
    checked = live.python(
        "import django; django.setup(); import json\n"
        "from speeches.models import PendingExtraction, PendingIndexUpdate, Speech\n"
        "print(json.dumps([PendingExtraction.objects.count(), PendingIndexUpdate.objects.count(),"
        " Speech.objects.filter(keywords=[]).count(), Speech.objects.count()]))"
    )
    assert json.loads(checked.stdout.strip().splitlines()[-1]) == [0, 0, 0, len(tokens)]
    check = live.manage("check_index")
    assert check.returncode == 0, check.stdout + check.stderr
    assert live.manage("check_counts").returncode == 0

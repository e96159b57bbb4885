"""Long work outside the web request: the job worker (manage.py run_jobs) drains the Job
table, one job at a time.

A job is a sequence of items (a file to import, a batch of speeches), each done in one
transaction that also writes its JobItem: a job whose worker was killed is resumed by the
next worker after the last item it finished, and no item is done twice. An error outside
an item's own handling fails the job with its message; the items done stay done.

Kinds (Job.KINDS) are described in KINDS below; the work itself is done by the modules
that own it (speeches.curation.upload, speeches.curation.status, speeches.search).

Besides jobs, the worker applies search-index updates left queued by a crash
(PendingIndexUpdate) when it starts and every HOUSEKEEPING_SECONDS, counts the searches
the web processes spooled (speeches.search_log), and requeues jobs whose worker died.
When no job waits it extracts the speeches imports left waiting for extraction
(speeches.extract.queue), a batch at a time with a look at the job queue between two,
and finds the shared passages of the speeches changed since (speeches.reuse's queue): at a
large archive that reads every stored MinHash, so it never runs between the items of a job."""

import contextlib
import logging
import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.models import HistoricalRecords

from speeches import search, search_log
from speeches.extract import queue as extraction_queue
from speeches.models import Job, JobItem, Speech, batched, fit
from speeches.processes import gone, worker_name
from speeches.reuse.detect import process_queue as find_queued_passages

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
HOUSEKEEPING_SECONDS = 30.0
# Speeches per item of a job over many speeches: one transaction each, so none holds
# SQLite's write lock for long; the index takes bigger batches (no database write).
SPEECH_BATCH = 20
REINDEX_BATCH = 500


def spool_folder(name):
    """The folder of one job's spooled files (settings.SPOOL_DIR/jobs/<name>)."""
    return Path(settings.SPOOL_DIR) / "jobs" / name


# Creating jobs ----------------------------------------------------------------------


def _user(user):
    return user if user is not None and user.is_authenticated else None


def _queue(kind, arguments, user):
    job = Job(kind=kind, arguments=arguments, started_by=_user(user))
    job.total = _kinds()[kind].total(job)
    job.save()
    return job


def speeches_job(kind, speech_ids, user=None):
    """A queued job of `kind` (re-extract, re-index, publish, withdraw) over these speeches."""
    return _queue(kind, {"speech_ids": sorted({int(pk) for pk in speech_ids})}, user)


def repair_index_job(user=None):
    return _queue(Job.REPAIR_INDEX, {}, user)


# The kinds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """items(job) yields (label, work): work() does one item and returns (ok, report
    dict); total(job) counts the items."""

    items: object
    total: object
    # Work recorded in the edit history as the curator who started the job.
    as_user: bool = True


def _speech_batches(change, size=SPEECH_BATCH):
    def items(job):
        for batch in batched(job.arguments["speech_ids"], size):
            label = f"讲话 {batch[0]}–{batch[-1]}（共 {len(batch)} 篇）"

            def work(batch=batch):
                done = change(Speech.objects.filter(pk__in=batch).order_by("pk"))
                return True, {"讲话": len(batch), "已处理": done}

            yield label, work

    def total(job):
        return math.ceil(len(job.arguments["speech_ids"]) / size)

    return Kind(items=items, total=total)


def _kinds():
    from speeches.curation import status, upload

    def publish(speeches):
        return len(status.publish(speeches)[0])

    def withdraw(speeches):
        return len(status.withdraw(speeches)[0])

    def reindex(speeches):
        return status.reindex(speeches.values_list("pk", flat=True))

    def repair_items(job):
        def work():
            drift = search.check(repair=True)
            return True, {"已比对": drift.checked, "补入索引": len(drift.missing), "更新": len(drift.stale),
                          "移除": len(drift.extra)}

        yield "比对数据库与索引并修复差异", work

    return {
        Job.IMPORT: Kind(items=upload.import_items, total=upload.import_item_count),
        Job.REEXTRACT: _speech_batches(status.reextract),
        Job.REINDEX: _speech_batches(reindex, REINDEX_BATCH),
        Job.PUBLISH: _speech_batches(publish),
        Job.WITHDRAW: _speech_batches(withdraw),
        Job.REPAIR_INDEX: Kind(items=repair_items, total=lambda job: 1, as_user=False),
    }


# Running ------------------------------------------------------------------------------


class _Stopped(Exception):
    """The worker was asked to stop: the job goes back to the queue, resumed later."""


@contextlib.contextmanager
def acting_as(user):
    """Changes made here are recorded in the edit history as `user`'s (as in a request)."""
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user) if user is not None else None
    try:
        yield
    finally:
        HistoricalRecords.context.request = previous


def claim_next():
    """The oldest queued job, now running in this process; None when there is none."""
    while True:
        job = Job.objects.filter(status=Job.QUEUED).order_by("id").first()
        if job is None:
            return None
        now = timezone.now()
        claimed = Job.objects.filter(pk=job.pk, status=Job.QUEUED).update(
            status=Job.RUNNING, worker=worker_name(), started_at=job.started_at or now, updated_at=now
        )
        if claimed:  # else another worker took it first
            job.refresh_from_db()
            return job


def _finish(job, status, error=""):
    Job.objects.filter(pk=job.pk).update(
        status=status, error=error, worker="", finished_at=timezone.now(), updated_at=timezone.now()
    )
    folder = job.arguments.get("folder")
    if folder:
        shutil.rmtree(spool_folder(folder), ignore_errors=True)


def run_job(job, between_items=None):
    """Do the items of a claimed job not done yet. `between_items()` runs before each
    item and may raise _Stopped."""
    kind = _kinds()[job.kind]
    done = set(job.items.values_list("position", flat=True))
    Job.objects.filter(pk=job.pk).update(total=max(kind.total(job), len(done)), done=len(done))
    user = job.started_by if kind.as_user else None
    try:
        with acting_as(user):
            for position, (label, work) in enumerate(kind.items(job)):
                if position in done:
                    continue
                if between_items:
                    between_items()
                with transaction.atomic():
                    ok, report = work()
                    JobItem.objects.create(**fit(JobItem, job=job, position=position, label=label, ok=ok, report=report))
                    Job.objects.filter(pk=job.pk).update(done=F("done") + 1, updated_at=timezone.now())
    except _Stopped:
        Job.objects.filter(pk=job.pk).update(status=Job.QUEUED, worker="", updated_at=timezone.now())
        raise
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        _finish(job, Job.FAILED, f"{type(exc).__name__}: {exc}")
        return
    _finish(job, Job.DONE)


def requeue_abandoned():
    """Jobs left running by a worker of this host that is gone go back to the queue (a
    worker on another host cannot be checked from here). Returns how many."""
    requeued = 0
    for job in Job.objects.filter(status=Job.RUNNING).exclude(worker=""):
        if gone(job.worker):
            requeued += Job.objects.filter(pk=job.pk, status=Job.RUNNING, worker=job.worker).update(
                status=Job.QUEUED, worker="", updated_at=timezone.now()
            )
    return requeued


def housekeeping(starting=False, idle=False):
    """Requeue abandoned jobs, apply index updates left queued, count spooled searches;
    `idle` (no job waiting), find the shared passages of changed speeches too. A failure
    is logged and tried again next time: it never stops the worker."""
    tasks = [
        ("requeue abandoned jobs", requeue_abandoned),
        ("release extractions of workers that are gone", extraction_queue.release_abandoned),
        # Starting, wait for a writer that holds the index; later, one that does drains the queue itself.
        ("apply queued index updates", lambda: search.process_pending(blocking=starting)),
        ("count spooled searches", search_log.flush),
    ]
    if idle:
        tasks.append(("find shared passages of changed speeches", find_queued_passages))
    for name, task in tasks:
        try:
            task()
        except Exception:
            log.exception("job worker: %s failed", name)


def _extract_waiting(stop):
    """Extract waiting speeches until a job is queued, `stop()` is true or a segment's
    worth is done (extraction_queue.INDEX_EVERY); whether there were any. A failure is
    logged (the batch's rows keep their error) and never stops the worker."""
    try:
        done = extraction_queue.drain_here(
            limit=extraction_queue.INDEX_EVERY,
            stop=lambda: stop() or Job.objects.filter(status=Job.QUEUED).exists(),
        )
    except Exception:
        log.exception("job worker: extraction of waiting speeches failed")
        return False
    return done > 0


def work(once=False, stop=None, poll_seconds=POLL_SECONDS, housekeeping_seconds=HOUSEKEEPING_SECONDS, report=None):
    """The worker's loop. `stop()` true ends it (between items: the job is resumed
    later); `once` runs the queued jobs and the waiting extractions, and returns.
    `report(message)` is told of jobs."""
    stop = stop or (lambda: False)
    report = report or (lambda message: None)
    housekeeping(starting=True)
    last = time.monotonic()

    def between_items():
        nonlocal last
        if stop():
            raise _Stopped
        if time.monotonic() - last >= housekeeping_seconds:
            housekeeping()
            last = time.monotonic()

    while not stop():
        if not connection.in_atomic_block:  # (a test's transaction) a connection lost or too old is replaced
            close_old_connections()
        job = claim_next()
        if job is not None:
            report(f"开始任务 {job}")
            try:
                run_job(job, between_items)
            except _Stopped:
                report(f"任务 {job.pk} 已暂停，下次启动时继续")
                break
            job.refresh_from_db()
            report(f"任务 {job} 结束：完成 {job.done}/{job.total} 项" + (f";{job.error}" if job.error else ""))
            continue
        if not once and time.monotonic() - last >= housekeeping_seconds:
            housekeeping(idle=True)
            last = time.monotonic()
        # No job waits: speeches waiting for extraction until one is queued, then the jobs again.
        if _extract_waiting(stop):
            continue
        if once:
            break
        time.sleep(poll_seconds)
    housekeeping()

"""The speeches waiting for extraction (PendingExtraction): an import stores and indexes a
speech and queues it here, so a file is searchable at the speed of indexing; the queue is
drained by `manage.py extract_pending` (several processes), by `import_speeches` after its
files, and by the job worker when no job waits (speeches.jobs).

    enqueue(speech_ids)      queue speeches (again: a changed text is extracted anew)
    extract_batch(worker)    claim the oldest waiting speeches and extract them
    drain(...)               extract until the queue is empty, in one or more processes
    release_abandoned()      give back the claims of processes that are gone

A batch is claimed (claimed_by = host:pid), its findings made outside any transaction
(speeches.extract.annotate.find_in_speech: the costly part, so processes find at once
while one writes), then stored in one transaction that deletes the batch's rows: a
process killed at any point leaves every speech it had not stored in the queue, and the
next drain claims them again once their process is gone. Each stored speech is saved,
which queues its index update (speeches.search.signals); a drain holds those updates and
applies them every INDEX_EVERY speeches and when it ends: the speech is searchable by its
words from the import on, by its region, topics and speaker from then."""

import logging
import multiprocessing
import os
import time

from django.conf import settings
from django.db import connections
from django.utils import timezone

from speeches import counts, search
from speeches.extract.annotate import annotate_speech, find_in_speech, taxonomy, warm_up
from speeches.models import PendingExtraction, Speech, fit_value
from speeches.processes import gone, worker_name

log = logging.getLogger(__name__)

# Speeches claimed and stored together: one write transaction (and one index update) per
# batch, short enough that an import or a curator's save waits little for SQLite's lock.
BATCH = 20
# Speeches whose index updates a drain applies together, as one index segment. Applied
# after each batch, a drain in one process did 3.5 speeches a second at 10,000 speeches
# (Whoosh writing a small segment's tens of thousands of terms, merging segments); 14.4 so.
INDEX_EVERY = 500


def enqueue(speech_ids):
    """Queue these speeches for extraction, in the caller's transaction. A speech already
    waiting, or being extracted now, is queued anew: its row is replaced, so the process
    that claimed the old one stores what it found and leaves the new row for the text as
    it is now."""
    ids = sorted({int(pk) for pk in speech_ids})
    if not ids:
        return
    PendingExtraction.objects.filter(speech_id__in=ids).delete()
    PendingExtraction.objects.bulk_create(PendingExtraction(speech_id=pk) for pk in ids)


def extract_on_import():
    """Whether an import extracts each speech in its own transaction
    (settings.EXTRACTION_ON_IMPORT = "at_once") rather than queueing it ("queue")."""
    return settings.EXTRACTION_ON_IMPORT == "at_once"


def waiting():
    """The rows still to be extracted (failed ones aside)."""
    return PendingExtraction.objects.filter(error="")


def release_abandoned():
    """Claims of processes of this host that are gone go back to the queue. Returns how many."""
    released = 0
    for worker in PendingExtraction.objects.exclude(claimed_by="").values_list("claimed_by", flat=True).distinct():
        if gone(worker):
            released += PendingExtraction.objects.filter(claimed_by=worker).update(claimed_by="", claimed_at=None)
    return released


def retry_failed(rows=None):
    """Failed rows (of `rows`, default all) wait again (after the bug that failed them is
    fixed). Returns how many."""
    rows = PendingExtraction.objects.all() if rows is None else rows
    return rows.exclude(error="").update(error="", claimed_by="", claimed_at=None)


def _unclaimed_ids(size):
    return list(waiting().filter(claimed_by="").order_by("id").values_list("id", flat=True)[:size])


def _claim(worker, size):
    """Up to `size` waiting rows, now claimed by `worker`, oldest first; [] only when none
    waits unclaimed."""
    while ids := _unclaimed_ids(size):
        # Only rows nobody claimed in between: another process may have taken some.
        claimed = PendingExtraction.objects.filter(pk__in=ids, claimed_by="").update(
            claimed_by=worker, claimed_at=timezone.now()
        )
        if claimed:
            return list(PendingExtraction.objects.filter(pk__in=ids, claimed_by=worker).order_by("id"))
        # Another process claimed all of them first (two drains started together read the
        # same oldest rows): the next ones are taken, or a drain would take the queue for
        # empty and end, leaving the rest to one process.
    return []


def extract_batch(worker=None, size=BATCH):
    """Claim up to `size` waiting speeches and extract them. Returns how many rows were
    done (stored, or failed with their error noted); 0 when none waits unclaimed."""
    worker = worker or worker_name()
    rows = _claim(worker, size)
    if not rows:
        return 0
    try:
        return _extract_claimed(worker, rows)
    except Exception:
        # Anything failing outside one speech's finding or storing (the database locked by
        # an import, the topics' table): the claims are handed back, or a worker that goes
        # on living would hold these speeches for ever (release_abandoned frees only the
        # claims of processes that have ended).
        PendingExtraction.objects.filter(pk__in=[row.pk for row in rows], claimed_by=worker).update(
            claimed_by="", claimed_at=None
        )
        raise


def _extract_claimed(worker, rows):
    speeches = Speech.objects.in_bulk([row.speech_id for row in rows])
    topics = taxonomy()
    found, failed = {}, {}
    for row in rows:
        try:
            found[row.pk] = find_in_speech(speeches[row.speech_id], topics)
        except Exception as exc:  # a bug in an extractor: the speech waits, with why
            log.exception("extraction of speech %s failed", row.speech_id)
            failed[row.pk] = exc
    try:
        _store(rows, found)
    except Exception:
        # One speech's failure must not hold up the others: store them one by one.
        log.exception("storing a batch of extractions failed; storing one at a time")
        for row in rows:
            if row.pk in found:
                try:
                    _store([row], found)
                except Exception as single:
                    failed[row.pk] = single
    for pk, exc in failed.items():
        PendingExtraction.objects.filter(pk=pk, claimed_by=worker).update(
            error=fit_value(PendingExtraction, "error", f"{type(exc).__name__}: {exc}"), claimed_by="", claimed_at=None
        )
    return len(rows)


def _store(rows, found):
    # One transaction, the browse counts of its speeches moved once at its end (not
    # counted again after each speech: 8 ms a speech of the drain).
    with counts.deferred():
        # Read again in the transaction: a curator's lock or a re-import since the claim counts.
        speeches = Speech.objects.in_bulk([row.speech_id for row in rows if row.pk in found])
        for row in rows:
            if row.pk in found:
                annotate_speech(speeches[row.speech_id], found[row.pk])
        # By id: a row queued anew since the claim (the text changed) stays.
        PendingExtraction.objects.filter(pk__in=[row.pk for row in rows if row.pk in found]).delete()


def drain_here(limit=None, progress=None, size=BATCH, stop=None):
    """Extract waiting speeches in this process until none waits (or `limit` rows are
    done, or `stop()` is true between two batches). progress(n) is told of each batch.
    Returns how many rows were done."""
    release_abandoned()
    worker = worker_name()
    done = unindexed = 0
    # Another process writing the index when this drain ends takes its updates too (a job
    # worker must not wait for a whole rebuild); drain() waits for the writer at its end.
    with search.updates_held(blocking=False):
        while (limit is None or done < limit) and not (stop and stop()):
            count = extract_batch(worker, size if limit is None else min(size, limit - done))
            if not count:
                break
            done += count
            unindexed += count
            if unindexed >= INDEX_EVERY:
                # Another drain writing the index takes these too: this one extracts on.
                search.apply_queued_now(blocking=False)
                unindexed = 0
            if progress:
                progress(count)
    return done


def _child(size, parent):
    # A forked child opens its own database connection (the parent's was closed before).
    # It ends after its batch when the drain that started it is gone (killed): what it
    # had not stored is claimed again by the next drain.
    drain_here(size=size, stop=lambda: os.getppid() != parent)
    connections.close_all()


def drain(processes=1, progress=None, size=BATCH, poll_seconds=0.5):
    """Extract every waiting speech with `processes` worker processes (1: in this one).
    progress(done, total) is told as the queue shrinks. Returns (done, failed): rows
    stored, and rows whose extraction failed (left in the queue with their error)."""
    release_abandoned()
    failed_before = PendingExtraction.objects.exclude(error="").count()
    total = waiting().count()
    if processes <= 1 or total <= size:
        done = drain_here(progress=(lambda n, seen=[0]: _report(progress, seen, n, total)) if progress else None, size=size)
    else:
        done = _drain_in_processes(processes, progress, size, total, poll_seconds)
    failed = PendingExtraction.objects.exclude(error="").count() - failed_before
    # Each process's last application gives up while another one writes the index: the
    # queue is applied here, waiting for the writer.
    search.apply_queued_now()
    return done - failed, failed


def _report(progress, seen, n, total):
    seen[0] += n
    progress(seen[0], total)


def _drain_in_processes(processes, progress, size, total, poll_seconds):
    # Loaded once here, the extractors' tables are shared by the forked children.
    warm_up()
    # Children are forked: the parent's connection must not be shared with them.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_child, args=(size, os.getpid()), daemon=True) for _ in range(processes)]
    for child in children:
        child.start()
    try:
        while any(child.is_alive() for child in children):
            time.sleep(poll_seconds)
            if progress:
                progress(total - waiting().count(), total)
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
    connections.close_all()
    # A child that died (killed, out of memory) left its claims: this process finishes them.
    done = total - waiting().count()
    rest = drain_here(size=size)
    if progress:
        progress(done + rest, total)
    return done + rest

"""Keeping the index equal to the database.

Changes are queued as PendingIndexUpdate rows in the transaction that makes them
(see signals.py) and applied after commit by whoever holds the writer lock: one
Whoosh writer for the whole queue, one commit per batch. A rebuild writes a new
generation and swaps it in. These are the Whoosh backend's writes (whoosh_backend.py);
the drift check comparing database and index is drift.py.
"""

import ctypes
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import queue
import shutil
import signal
import time
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.db import connections
from django.db.models import Prefetch
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.index import LockError
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name

from speeches.models import Citation, PendingIndexUpdate, Section, Speech, batched
from speeches.search import bulk, dictionary, store
from speeches.search.text import matchable

log = logging.getLogger(__name__)

# Speeches loaded from the database at a time, and queue rows applied per commit.
LOAD_BATCH = 200
QUEUE_BATCH = 2000
UNDATED_NEWEST, UNDATED_OLDEST = 0, 99_991_231
# A rebuild of at least this many speeches is written by several processes (segments
# of their own; analysis and writing are pure Python, so one process uses one core).
PARALLEL_MIN_SPEECHES = 1000
# A batch of queued updates of at least this many speeches (an imported file, a drain's
# extractions) is analysed and written half by a forked process, half by this one.
PARALLEL_APPLY_MIN = 400
# Segments are written as separate files, not one compound file: Whoosh opens a
# compound file's parts by copying each into memory (BytesIO over the mapped file),
# so every reader held a copy of the whole index and took 0.4 s to open at 9,000
# speeches (most of it system time), growing with the index.
SEGMENT_FILES = {"compound": False}
MERGED = "merged"


def _speeches(ids=None):
    """Speeches with everything the index needs, in batches (ids=None: all)."""
    queryset = (
        Speech.objects.order_by("id")
        # Region.ancestors() walks parents: county → prefecture → province → country.
        .select_related("region__parent__parent__parent")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("order")),
            "topics",
            Prefetch("citations", queryset=Citation.objects.only("id", "speech_id", "official_id")),
        )
    )
    if ids is None:
        batch, last = [], 0
        while True:
            batch = list(queryset.filter(id__gt=last)[:LOAD_BATCH])
            if not batch:
                return
            yield from batch
            last = batch[-1].pk
    else:
        ids = sorted(ids)
        for start in range(0, len(ids), LOAD_BATCH):
            yield from queryset.filter(id__in=ids[start : start + LOAD_BATCH])


def document(speech):
    """The index entry of a speech (its related rows prefetched)."""
    sections = list(speech.sections.all())
    values = {
        "title": speech.title,
        "body": speech.body,
        "headings": "\n".join(f"{s.number}{s.heading}" for s in sections),
        "region": [r.code for r in speech.region.ancestors()] if speech.region else [],
        "topic": sorted(t.slug for t in speech.topics.all()),
        "official": sorted(
            {str(c.official_id) for c in speech.citations.all()}
            | ({str(speech.speaker_id)} if speech.speaker_id else set())
        ),
        "speaker": str(speech.speaker_id) if speech.speaker_id else "",
        "year": str(speech.known_year) if speech.known_year else "",
        "kind": speech.kind,
        # A copy merged into another speech redirects there: it is not searched.
        "status": MERGED if speech.is_merged_copy else speech.status,
        "date_key": speech.compute_date_key() or None,
    }
    signature = hashlib.sha256(
        json.dumps(values, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    doc = {
        "id": str(speech.pk),
        "signature": signature,
        "title_words": values["title"],
        "headings_words": values["headings"],
        "body_words": values["body"],
        "title_chars": values["title"],
        "body_chars": values["body"],
        "region": " ".join(values["region"]),
        "topic": " ".join(values["topic"]),
        "official": " ".join(values["official"]),
        "speaker": values["speaker"],
        "kind": values["kind"],
        "status": values["status"],
        "newest_key": values["date_key"] or UNDATED_NEWEST,
        "oldest_key": values["date_key"] or UNDATED_OLDEST,
        "body_length": len(matchable(values["body"])),
    }
    if values["year"]:
        doc["year"] = values["year"]
    return doc


def document_signature(speech):
    # The signature is computed from the raw values, before any analysis: cheap
    # enough to compare every speech in check().
    return document(speech)["signature"]


def _apply(ix, writer, speech_ids):
    """Write the current database state of these speeches (absent ones are removed).

    What update_document does, with one reader for the whole batch: Whoosh's
    update_document opens a reader over every segment for each document, which cost
    0.6 s a speech (mostly system time) once an index had nine segments."""
    with writer.searcher() as searcher:
        for speech_id in speech_ids:
            for docnum in searcher.docs_for_query(wq.Term("id", str(speech_id))):
                writer.delete_document(docnum)
    if len(speech_ids) >= PARALLEL_APPLY_MIN and writer_processes() > 1:
        writer.written_apart = _written_in_two(ix, list(_speeches(speech_ids)))
        # The merge this commit may make is shared the same way (never in a web
        # request's small update: no fork in a threaded server).
        writer.merge_apart = forked
    else:
        for speech in _speeches(speech_ids):
            writer.add_document(**document(speech))
    return len(speech_ids)


class IndexWriteError(Exception):
    pass


def _written_in_two(ix, speeches, to_document=None):
    """Segments of the speeches (rows read with what document() needs), the first half
    made into documents (by to_document, default document()) and written here, the
    second by a forked process at the same time: analysis and writing are pure Python,
    one core each. The database was read before: the forked process never touches it."""
    to_document = to_document or document
    half = len(speeches) // 2
    with forked(partial(_segments_of, ix, speeches[half:], to_document)) as second_half:
        return _segments_of(ix, speeches[:half], to_document) + second_half()


def _segments_of(ix, speeches, to_document):
    series = bulk.SegmentSeries(ix, segment_postings(), **SEGMENT_FILES)
    try:
        for speech in speeches:
            series.add_document(**to_document(speech))
        return series.finish()
    except BaseException:
        series.cancel()
        raise


@contextmanager
def forked(work):
    """Run work() (which returns segments) in a forked process while the caller goes on;
    yields a function that waits for them and returns them (IndexWriteError if the
    process failed or died). A plain fork, not a multiprocessing child: the extraction
    drain's workers, which apply their batches, are daemonic, and those may not have
    children."""
    parent = os.getpid()
    receiving, sending = multiprocessing.Pipe(duplex=False)
    child = os.fork()
    if child == 0:
        code = 1
        try:
            receiving.close()
            _work_apart(work, sending, parent)
            code = 0
        finally:
            os._exit(code)  # never back into the parent's code
    sending.close()

    def result():
        try:
            outcome, found = receiving.recv()
        except EOFError:
            raise IndexWriteError("the process writing part of the update ended without its segments") from None
        if outcome != "written":
            raise IndexWriteError(f"the process writing part of the update failed: {found}")
        return found

    try:
        yield result
    finally:
        receiving.close()
        _reap(child)


def _reap(child, patience=5.0):
    """Wait for a forked process to end; killed if it has not after `patience` seconds
    (the parent failed while it was still writing)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if os.waitpid(child, os.WNOHANG) != (0, 0):
            return
        time.sleep(0.01)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)


def _work_apart(work, sending, parent):
    """forked()'s child: the segments work() wrote, or the error, sent back."""
    _forked_writer(parent)
    try:
        sending.send(("written", work()))
    except BaseException as error:
        sending.send(("failed", repr(error)))
    finally:
        sending.close()


def _drain(ix, covered=frozenset()):
    """Apply the whole queue to index `ix`, except the rows in `covered` (a rebuild
    read their speeches after they were queued). Call under the writer lock."""
    applied, last = 0, 0
    while True:
        rows = list(
            PendingIndexUpdate.objects.filter(id__gt=last).order_by("id").values_list("id", "speech_id")[:QUEUE_BATCH]
        )
        if not rows:
            return applied
        last = rows[-1][0]
        rows = [row for row in rows if row[0] not in covered]
        if not rows:
            continue
        writer = bulk.BulkSegmentWriter(ix, max_postings=segment_postings(), timeout=5.0, **SEGMENT_FILES)
        try:
            applied += _apply(ix, writer, {speech_id for _, speech_id in rows})
            writer.commit()
        except BaseException:
            if not writer.is_closed:  # a failed commit (its merge) still holds Whoosh's lock
                writer.cancel()
            raise
        # Only the rows read above: changes queued meanwhile stay for the next round.
        _delete_queue_rows([row_id for row_id, _ in rows])


def _delete_queue_rows(row_ids):
    for batch in batched(list(row_ids)):
        PendingIndexUpdate.objects.filter(id__in=batch).delete()


def process_pending(blocking=False):
    """Apply queued updates. With blocking=False, return at once when another
    writer holds the lock: it re-checks the queue before it lets go, so nothing
    queued before this call is left behind. Returns the number of speeches applied."""
    applied = 0
    while True:
        with store.writer_lock(blocking=blocking) as locked:
            if not locked:
                return applied
            try:
                applied += _drain(store.open_for_writing())
            except LockError:
                # Someone wrote the index behind the lock's back; the queue keeps the work.
                log.warning("search index is locked by another writer; updates stay queued")
                return applied
        if not PendingIndexUpdate.objects.exists():
            return applied


class RebuildError(Exception):
    pass


def writer_processes():
    """Processes that may write the index at once (settings.SEARCH_REBUILD_PROCESSES,
    default: one per core)."""
    return max(1, int(settings.SEARCH_REBUILD_PROCESSES or os.cpu_count() or 1))


def rebuild_processes(speech_count):
    """How many processes write a rebuild of speech_count speeches."""
    return 1 if speech_count < PARALLEL_MIN_SPEECHES else writer_processes()


def segment_postings():
    """Postings a writer holds in memory (bulk.MAX_POSTINGS_HELD unless settings say)."""
    return settings.SEARCH_REBUILD_SEGMENT_POSTINGS or bulk.MAX_POSTINGS_HELD


# prctl(2): deliver a signal to this process when its parent dies.
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent):
    """Have the kernel kill this forked writer when the rebuild that forked it dies
    (Linux's parent-death signal). A writer left behind holds the index's writer lock
    (an inherited descriptor) and would block every later index update; wherever it
    waits (for work, or for the parent to read its segments), it is ended."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # elsewhere the work loop's own check of the parent remains
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _forked_writer(parent):
    """What a process forked to write segments does first (a rebuild's writers, the
    second half of a large update): it dies with its parent, and should it ever need the
    database (a vocabulary reload) it opens its own connection rather than use the parent's."""
    _die_with_parent(parent)
    for connection in connections.all(initialized_only=True):
        connection.connection = None


class _SubWriterTask(SubWriterTask):
    """A forked writer: analyses the batches of documents the parent read and writes
    them as segments of its own (bulk.SegmentSeries), then hands the parent the list."""

    def run(self):
        parent = os.getppid()
        _forked_writer(parent)
        ix = self.storage.open_index(self.indexname)
        self.series = bulk.SegmentSeries(ix, segment_postings(), **self.kwargs)
        self.tempstorage = self.storage.temp_storage(f"{self.indexname}.tmp")
        while True:
            # A rebuild killed while it still hands out work never sends the end of the
            # jobs; its writers would wait forever, holding its writer lock (inherited).
            if os.getppid() != parent:
                self.series.cancel()
                return
            try:
                job = self.jobqueue.get(timeout=1)
            except queue.Empty:
                continue
            if job is None:
                break
            self._process_file(*job)
        # Exiting waits until the parent has read the result; a parent killed by then
        # never will (the death signal above ends this process where it is supported).
        self.resultqueue.put(self.series.finish())

    def _process_file(self, filename, doc_count):
        with self.tempstorage.open_file(filename).raw_file() as handle:
            for _ in range(doc_count):
                _code, fields = pickle.load(handle)
                self.series.add_document(**fields)
        self.tempstorage.delete_file(filename)


class _ParallelWriter(MpWriter):
    """Whoosh's multiprocessing writer: this process reads the database and hands
    batches of documents to `procs` forked writers, each writing segments of its own
    in bulk (no final merge, which would cost as much as the writing).

    Unlike Whoosh's, a writer process that dies fails the rebuild instead of leaving
    this one waiting for it, and cancel() stops the writer processes."""

    def __init__(self, ix, procs):
        super().__init__(ix, procs=procs, batchsize=LOAD_BATCH, multisegment=True, **SEGMENT_FILES)

    def _new_task(self):
        task = _SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                              SEGMENT_FILES, self.multisegment)
        task.daemon = True  # never outlives a rebuild that failed
        self.tasks.append(task)
        task.start()
        return task

    def _check_tasks(self):
        if any(task.exitcode not in (None, 0) for task in self.tasks):
            raise RebuildError("a process writing the new index failed")

    def _put(self, job):
        while True:
            self._check_tasks()
            try:
                self.jobqueue.put(job, timeout=1)
                return
            except queue.Full:
                continue

    def _enqueue(self):
        # As MpWriter._enqueue, with _put() for the queue.
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as handle:
            for item in self.docbuffer:
                pickle.dump(item, handle, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def commit(self):
        try:
            if self.docbuffer:
                self._enqueue()
            for _task in self.tasks:
                self._put(None)
            segments = []
            for _task in self.tasks:
                segments.extend(self._result())
            for task in self.tasks:
                task.join()
            self._check_tasks()
        except BaseException:
            self._stop_tasks()
            raise
        self._close_segment()  # this process's own segment, empty
        self._commit_toc(segments)
        self._finish()

    def _result(self):
        while True:
            self._check_tasks()
            try:
                return self.resultqueue.get(timeout=1)
            except queue.Empty:
                if all(task.exitcode is not None for task in self.tasks):
                    raise RebuildError("a process writing the new index ended without its segments") from None

    def _stop_tasks(self):
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
            task.join()

    def cancel(self):
        self._stop_tasks()
        super().cancel()


class _InProcessWriter:
    """A rebuild written by this process (small archives, or one process asked for)."""

    def __init__(self, ix):
        self.ix = ix
        self.series = bulk.SegmentSeries(ix, segment_postings(), **SEGMENT_FILES)
        self.add_document = self.series.add_document

    def commit(self):
        bulk.publish_segments(self.ix, self.series.finish())

    def cancel(self):
        self.series.cancel()


def rebuild(progress=None):
    """Index every speech into a new generation, apply what was queued meanwhile,
    then serve it. Returns the number of speeches indexed."""
    count = 0
    with store.writer_lock(blocking=True):
        dictionary.write_file()
        dictionary.segmenter()  # loaded once here, inherited by forked writers
        path = store.new_generation()
        # Updates queued before the rebuild reads any speech are in what it reads: after
        # a bulk load with SEARCH_INDEX_UPDATES = "queue" they are most of the archive.
        covered = set(PendingIndexUpdate.objects.values_list("id", flat=True))
        try:
            ix = whoosh_index.open_dir(str(path))
            procs = rebuild_processes(Speech.objects.count())
            writer = _ParallelWriter(ix, procs) if procs > 1 else _InProcessWriter(ix)
            try:
                for speech in _speeches():
                    writer.add_document(**document(speech))
                    count += 1
                    if progress and count % 500 == 0:
                        progress(count)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            written = whoosh_index.open_dir(str(path)).doc_count_all()
            if written != count:
                # A writer process died: its segment is missing.
                raise RebuildError(f"the new index holds {written} of {count} speeches")
            _drain(ix, covered)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        store.serve(path)
        # Only once the new index serves: until then the old one still needs them.
        _delete_queue_rows(covered)
    process_pending()
    return count

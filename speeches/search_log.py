"""Searches counted without a database write on the request path.

A search appends one line (day, words, results found) to a spool file in the data folder
(settings.SPOOL_DIR/searches.log); flush() folds the spool into SearchQueryLog in batches.
The job worker (manage.py run_jobs) flushes every few seconds and the search health page
before it shows the counts, so a search never waits for the database's write lock, which
an import holds for as long as it stores a file (SQLite: every writer waits for it).

Several processes append at once: each line is one write to a file opened for appending,
under a shared lock. A flush renames the spool to a batch of its own, then takes the
batch's exclusive lock, which waits for writers that opened the file before the rename; a
writer that locked a file no longer named searches.log writes again to the new one. A
flush that dies leaves its batch for the next. One that dies after its commit and before
it removed its batch counts that batch twice: a few seconds of searches, none lost."""

import fcntl
import json
import logging
import os
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from speeches.models import SearchQueryLog, normalise_query

log = logging.getLogger(__name__)

SPOOL = "searches.log"
BATCH_GLOB = "searches.*.batch"
FLUSH_LOCK = "searches.flush.lock"
# Distinct (day, words) pairs written per transaction.
ROWS_PER_TRANSACTION = 500


def _directory():
    path = Path(settings.SPOOL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def record(query, results_count):
    """Spool one search of `query` that found `results_count` speeches (words only)."""
    query = normalise_query(query)
    if not query:
        return
    line = json.dumps([timezone.localdate().isoformat(), query, int(results_count)], ensure_ascii=False)
    _append((line + "\n").encode("utf-8"))


def _append(data):
    path = _directory() / SPOOL
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            opened = os.fstat(fd)
            # Renamed away by a flush between open and lock: write to the new spool.
            if current is not None and (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino):
                os.write(fd, data)
                return
        finally:
            os.close(fd)


def _read_batch(path):
    """{(day, query): [searches, results of the last]} of one batch file."""
    counts = defaultdict(lambda: [0, 0])
    with open(path, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # writers that opened it before the rename are done
        for raw in handle:
            try:
                day, query, results = json.loads(raw)
                entry = counts[(date.fromisoformat(day), query)]
            except (ValueError, TypeError):
                log.warning("unreadable line in the search spool skipped: %r", raw[:200])
                continue
            entry[0] += 1
            entry[1] = results
    return counts


def _apply(counts):
    items = sorted(counts.items())
    for start in range(0, len(items), ROWS_PER_TRANSACTION):
        with transaction.atomic():
            for (day, query), (searches, results) in items[start : start + ROWS_PER_TRANSACTION]:
                SearchQueryLog.record(query, results, day=day, searches=searches)
    return sum(searches for searches, _results in counts.values())


def flush():
    """Fold the spooled searches into SearchQueryLog; returns how many were counted.
    Returns 0 at once when another process is flushing."""
    directory = _directory()
    with open(directory / FLUSH_LOCK, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        try:
            os.rename(directory / SPOOL, directory / f"searches.{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}.batch")
        except FileNotFoundError:
            pass
        counted = 0
        for batch in sorted(directory.glob(BATCH_GLOB)):
            counted += _apply(_read_batch(batch))
            batch.unlink()
        return counted

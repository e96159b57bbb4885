"""Where the index lives and who may write it.

settings.SEARCH_INDEX_DIR/
    CURRENT        name of the generation being served (replaced atomically)
    gen-…/         one complete Whoosh index per generation
    writer.lock    flock held by the single writer (any process)
    userdict.txt   the segmenter's vocabulary (see dictionary.py)

A rebuild writes a new generation and then points CURRENT at it, so a crash
midway leaves the old generation serving. Every write happens under writer.lock;
Whoosh's own lock is therefore always free and never surfaces as an error.
"""

import contextlib
import fcntl
import os
import shutil
import threading
import time
import uuid

from django.conf import settings
from whoosh import index as whoosh_index

from speeches.search import columns
from speeches.search.schema import build_schema

# The column in which Whoosh keeps a segment's stored fields.
_STORED_FIELDS = "_stored"

POINTER = "CURRENT"
LOCK_FILE = "writer.lock"
GENERATION_PREFIX = "gen-"
# Generations kept after a swap besides the current one: a process that opened
# the previous one a moment ago can finish reading it.
KEEP_PREVIOUS = 1


def root():
    path = settings.SEARCH_INDEX_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def current_generation():
    """The served generation's directory, or None before the first build."""
    try:
        name = (root() / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = root() / name
    return path if name and path.is_dir() else None


def new_generation():
    """An empty index in a fresh directory, not yet served."""
    name = f"{GENERATION_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path = root() / name
    path.mkdir()
    whoosh_index.create_in(str(path), build_schema())
    return path


def serve(path):
    """Point CURRENT at generation `path` (atomic rename), then drop old generations."""
    pointer = root() / POINTER
    tmp = pointer.with_name(f"{POINTER}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(path.name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, pointer)
    _remove_old_generations(keep=path)


def _remove_old_generations(keep):
    generations = sorted(
        (p for p in root().iterdir() if p.is_dir() and p.name.startswith(GENERATION_PREFIX)),
        key=lambda p: p.stat().st_mtime,
    )
    older = [p for p in generations if p != keep]
    for path in older[: max(0, len(older) - KEEP_PREVIOUS)]:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def writer_lock(blocking=True):
    """Hold the index's single-writer lock; yields False (and holds nothing) when
    blocking=False and another writer has it."""
    handle = open(root() / LOCK_FILE, "a+")  # noqa: SIM115 - closed in finally
    try:
        flags = fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle.fileno(), flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def open_for_writing():
    """The served index, created empty on first use. Call under writer_lock."""
    path = current_generation()
    if path is None:
        path = new_generation()
        serve(path)
    return whoosh_index.open_dir(str(path))


# Searchers are per thread (Whoosh readers are not meant to be shared between
# threads) and refreshed when a writer commits or a rebuild swaps generations.
_local = threading.local()


def searcher():
    """A searcher over the served generation, or None when nothing was built yet."""
    path = current_generation()
    cached = getattr(_local, "cached", None)
    if path is None:
        return None
    if cached is None or cached[0] != path:
        if cached is not None:
            cached[2].close()
        try:
            ix = whoosh_index.open_dir(str(path))
        except (whoosh_index.EmptyIndexError, FileNotFoundError):
            return None
        _local.cached = (path, ix, _opened_searcher(ix))
        return _local.cached[2]
    _, ix, current = cached
    if current.up_to_date():
        return current
    # A writer committed: a new searcher, then the old one closed. Not Searcher.refresh():
    # it reuses nothing (Whoosh keys the old segment readers by generation and looks them
    # up by segment id), and when a writer deleted a segment's files as the new reader
    # opened them, its retry closed the old readers a second time and failed
    # (ReaderClosed: server errors during an import, the old searcher left broken).
    fresh = _opened_searcher(ix)
    _local.cached = (path, ix, fresh)
    current.close()
    return fresh


# Times a searcher is opened again when a segment it lists was deleted meanwhile.
_OPEN_ATTEMPTS = 20


def _opened_searcher(ix):
    """A searcher of ix with every column its searches read opened now: stored fields,
    date keys, field lengths. Whoosh opens a column at its first use and asks first
    whether its file exists; when a writer in another process had merged the segment
    away in between, the answer was no and the call failed (stored fields: a speech
    page's related speeches, under an import) or read defaults (dates, lengths: a wrong
    order, wrong scores). An open file stays readable after its deletion, and a writer
    deletes a segment's files only after it wrote a newer table of contents: when no
    newer one exists once every column is open, every file was there. Otherwise the
    searcher is opened again, from the newer table of contents."""
    for _attempt in range(_OPEN_ATTEMPTS):
        searcher = ix.searcher()
        try:
            leaves = [leaf for leaf, _offset in searcher.reader().leaf_readers() if leaf.doc_count_all()]
            # (An empty index's reader has no generation, and no files to lose.)
            if all(_columns_held(leaf) for leaf in leaves) and (not leaves or searcher.up_to_date()):
                return searcher
        except OSError:
            pass  # a column's file deleted between the check and the open
        searcher.close()
        time.sleep(0.05)
    raise FileNotFoundError("the index's segments kept disappearing while its searcher opened")


def _columns_held(leaf):
    """Whether the segment's stored fields are there (now open), with the columns its
    searches read opened too."""
    if not leaf._perdoc.has_column(_STORED_FIELDS):
        return False  # deleted by a writer since the table of contents was read
    leaf.stored_fields(0)
    columns.open_files(leaf)
    return True

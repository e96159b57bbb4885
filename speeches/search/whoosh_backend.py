"""The search backend of one machine: Whoosh indexes in settings.SEARCH_INDEX_DIR
(store.py), one writer at a time under a file lock, any number of reading processes.

Each method hands the work to the module that does it: engine.answer for queries,
related.py for more-like-this, trends.py, indexing.py for the queue and rebuilds."""

from datetime import UTC, datetime

from whoosh import index as whoosh_index

from speeches.search import engine, indexing, related, store, trends
from speeches.search.backend import CURRENT, MISSING, OTHER_SCHEMA, SearchBackend
from speeches.search.schema import build_schema


def _field_kinds(schema):
    return {name: type(field).__name__ for name, field in schema.items()}


def _served_index():
    """The served generation's index, or None before the first build."""
    path = store.current_generation()
    if path is None:
        return None
    try:
        return whoosh_index.open_dir(str(path))
    except (whoosh_index.EmptyIndexError, FileNotFoundError):
        return None


class WhooshBackend(SearchBackend):
    def query(self, query):
        searcher = store.searcher()
        return None if searcher is None else engine.answer(searcher, query)

    def matching_ids(self, query):
        searcher = store.searcher()
        return set() if searcher is None else engine.answer_ids(searcher, query)

    def similar_ids(self, speech, limit):
        return related._similar_ids(speech, limit)

    def term_trends(self, terms, request):
        return trends.term_trends(terms, request)

    def apply_pending(self, blocking=False):
        return indexing.process_pending(blocking=blocking)

    def rebuild(self, progress=None):
        return indexing.rebuild(progress=progress)

    def last_rebuilt_at(self):
        # The CURRENT pointer is written only when a generation is swapped in.
        try:
            return datetime.fromtimestamp((store.root() / store.POINTER).stat().st_mtime, tz=UTC)
        except FileNotFoundError:
            return None

    def layout(self):
        ix = _served_index()
        if ix is None:
            return MISSING
        return OTHER_SCHEMA if _field_kinds(ix.schema) != _field_kinds(build_schema()) else CURRENT

    def entry_count(self):
        ix = _served_index()
        return 0 if ix is None else ix.doc_count()

    def signatures(self, ids=None):
        if ids is None:
            # Under the writer lock: no update is half applied while every entry is read.
            with store.writer_lock(blocking=True):
                with store.open_for_writing().searcher() as searcher:
                    return {int(f["id"]): f.get("signature") for f in searcher.all_stored_fields()}
        ix = _served_index()
        if ix is None:
            return {}
        found = {}
        with ix.searcher() as searcher:
            for speech_id in ids:
                entry = searcher.document(id=str(speech_id))
                if entry is not None:
                    found[int(speech_id)] = entry.get("signature")
        return found

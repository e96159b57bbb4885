"""Facet postings and date order kept in memory, per index segment, as numpy arrays.

Whoosh reads postings one document at a time in Python: counting a facet term by
walking its postings costs every search a pass over every posting of every facet
term (tens of milliseconds at 10,000 speeches), and sorting by date reads a column
value per matching document. Segments never change once written (deletions only
remove documents from what a query matches), so each segment's facet postings are
read once per process into arrays of document numbers; joined over a reader, each
facet field's postings are one array of documents beside one of term numbers, and a
search counts every term of a field at once with np.bincount over the postings whose
documents its mask (evaluate.py: a boolean array over document numbers) holds. The
date keys are read into an order of document numbers; the field lengths scoring
needs are read likewise, and a field's term frequencies (for more-like-this) on
first use. A new segment (an incremental update) is read on the first search that
sees it; the others are reused.
"""

import threading
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from speeches.search.evaluate import mask_of, segment_ids

# Fields whose terms are counted for the facets or filter a search (term → documents).
FACET_FIELDS = ("region", "topic", "official", "speaker", "year", "kind", "status")
# Fields that score: their per-document lengths (as Whoosh stores them) feed BM25F.
SCORED_FIELDS = ("title_words", "headings_words", "body_words", "title_chars", "body_chars")
# The columns of the date keys: a search's order, newest or oldest first.
NEWEST, OLDEST = DATE_COLUMNS = ("newest_key", "oldest_key")
PUBLISHED = "published"
# Segments remembered beyond those of the served reader (a previous generation
# still being read, a reader that just refreshed).
_SEGMENTS_KEPT = 64
# Whoosh stores a field's length per document in a byte (whoosh.util.numeric).
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], np.int32)

_lock = threading.Lock()
_segments = {}  # segment id -> _SegmentColumns
_readers = {}  # tuple of (segment id, offset) -> ReaderColumns


@dataclass
class _SegmentColumns:
    size: int
    postings: dict  # field -> {term: array of segment docnums}
    newest: np.ndarray  # sort key per segment docnum
    oldest: np.ndarray
    lengths: dict  # scored field -> array of the length per segment docnum


def _read_lengths(leaf, fieldname):
    """The field's length per document as Whoosh's scorer sees it (quantized to a byte)."""
    size = leaf.doc_count_all()
    column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.ones(size, np.int32)  # Whoosh's default for a field without lengths
    return _BYTE_LENGTHS[np.fromiter(iter(column), np.uint8)]


def open_files(leaf):
    """Open the segment's column files _read_segment reads (date keys, field lengths), so
    they stay readable when a writer deletes them first (store._opened_searcher)."""
    for fieldname in DATE_COLUMNS:
        leaf.column_reader(fieldname)
    for fieldname in SCORED_FIELDS:
        leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)


def _read_segment(leaf):
    postings = {}
    for fieldname in FACET_FIELDS:
        terms = {}
        # An index of an older schema lacks a newer field until it is rebuilt (rebuild_index --if-needed).
        for term in leaf.field_terms(fieldname) if fieldname in leaf.schema else ():
            terms[term] = segment_ids(leaf, fieldname, term)
        postings[fieldname] = terms
    size = leaf.doc_count_all()
    return _SegmentColumns(
        size=size,
        postings=postings,
        newest=np.fromiter(leaf.column_reader(NEWEST, translate=True), np.int64, size),
        oldest=np.fromiter(leaf.column_reader(OLDEST, translate=True), np.int64, size),
        lengths={fieldname: _read_lengths(leaf, fieldname) for fieldname in SCORED_FIELDS},
    )


@dataclass
class _FieldPostings:
    """A facet field's postings over the reader: term numbers beside document numbers."""

    names: list  # term per term number
    docs: np.ndarray  # document number per posting
    terms: np.ndarray  # term number per posting


class ReaderColumns:
    """Facet postings and date orders of a whole reader (its segments joined)."""

    def __init__(self, parts):
        self.size = sum(part.size for part, _offset in parts) if parts else 0
        self.terms = {}  # field -> {term: ascending document numbers}
        self._postings = {}
        for fieldname in FACET_FIELDS:
            joined = {}
            for part, offset in parts:
                for term, docnums in part.postings[fieldname].items():
                    joined.setdefault(term, []).append(docnums + offset)
            terms = self.terms[fieldname] = {term: np.concatenate(pieces) for term, pieces in joined.items()}
            held = list(terms.values())
            self._postings[fieldname] = _FieldPostings(
                names=list(terms),
                docs=np.concatenate(held) if held else np.zeros(0, np.int64),
                terms=np.repeat(np.arange(len(held), dtype=np.int32), [len(d) for d in held]),
            )
        empty = np.zeros(0, np.int64)
        newest = np.concatenate([part.newest for part, _offset in parts]) if parts else empty
        oldest = np.concatenate([part.oldest for part, _offset in parts]) if parts else empty
        self._lengths = {
            fieldname: np.concatenate([part.lengths[fieldname] for part, _offset in parts]) if parts else empty
            for fieldname in SCORED_FIELDS
        }
        self._frequencies = {}
        # Whoosh's sorted collector orders by (key, document number); newest first is
        # the reversed key with document numbers still ascending (lexsort: last key first).
        docnums = np.arange(self.size)
        self.newest_order = np.lexsort((docnums, -newest))
        self.oldest_order = np.lexsort((docnums, oldest))
        self.published = self.holding("status", PUBLISHED)

    def mask(self, docnums):
        return mask_of(docnums, self.size)

    def lengths(self, fieldname):
        """Length of the field per document number (for BM25F)."""
        return self._lengths[fieldname]

    def holding(self, fieldname, term):
        """Mask of the documents holding term (deleted ones may be among them)."""
        return self.mask(self.terms[fieldname].get(term, np.zeros(0, np.int64)))

    def docs_with(self, fieldname, term):
        """The set of documents holding term (deleted ones may be among them)."""
        return frozenset(self.terms[fieldname].get(term, np.zeros(0, np.int64)).tolist())

    def frequencies(self, reader, fieldname):
        """{term: its frequency in the whole index} for a field (reader.frequency for
        every term at once), read on first use."""
        found = self._frequencies.get(fieldname)
        if found is None:
            found = {}
            from_bytes = reader.schema[fieldname].from_bytes
            for leaf, _offset in reader.leaf_readers():
                for term, info in leaf.iter_field(fieldname):
                    term = from_bytes(term) if isinstance(term, bytes) else term
                    found[term] = found.get(term, 0) + info.weight()
            self._frequencies[fieldname] = found
        return found

    def count(self, fieldname, term, docs):
        """Documents of the mask docs holding term."""
        held = self.terms[fieldname].get(term)
        return 0 if held is None else int(np.count_nonzero(docs[held]))

    def counts(self, fieldname, docs):
        """{term: documents of the mask docs holding it} for the terms held by any."""
        postings = self._postings[fieldname]
        counted = np.bincount(postings.terms[docs[postings.docs]], minlength=len(postings.names))
        held = np.flatnonzero(counted)
        names = postings.names
        return {names[number]: n for number, n in zip(held.tolist(), counted[held].tolist(), strict=True)}

    def first_in_order(self, sort, docs, limit):
        """The first `limit` document numbers of the mask docs, newest or oldest first."""
        if limit <= 0:
            return []
        order = self.newest_order if sort == "newest" else self.oldest_order
        return order[docs[order]][:limit].tolist()


def for_reader(reader):
    """ReaderColumns of a Whoosh reader, from cache when its segments were read before."""
    # An index with no documents has a reader without segments.
    leaves = [(leaf, offset) for leaf, offset in reader.leaf_readers() if leaf.doc_count_all()]
    key = tuple((leaf.segment().segment_id(), offset) for leaf, offset in leaves)
    cached = _readers.get(key)
    if cached is not None:
        return cached
    with _lock:
        cached = _readers.get(key)
        if cached is not None:
            return cached
        parts = []
        for leaf, offset in leaves:
            segment_id = leaf.segment().segment_id()
            part = _segments.get(segment_id)
            if part is None:
                part = _segments[segment_id] = _read_segment(leaf)
            parts.append((part, offset))
        columns = ReaderColumns(parts)
        # The served reader's segments stay; beyond those only a few are kept.
        current = {segment_id for segment_id, _ in key}
        for segment_id in [s for s in _segments if s not in current][: max(0, len(_segments) - _SEGMENTS_KEPT)]:
            del _segments[segment_id]
        _readers.clear()
        _readers[key] = columns
        return columns

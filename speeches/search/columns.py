"""Facet postings and date order kept in memory, per index segment.

Whoosh reads postings one document at a time in Python: counting a facet term by
walking its postings costs every search a pass over every posting of every facet
term (tens of milliseconds at 10,000 speeches), and sorting by date reads a column
value per matching document. Segments never change once written (deletions only
remove documents from what a query matches), so each segment's facet postings are
read once per process, into bitsets — Python ints, counted with `(a & b).bit_count()`
in C — or, for terms held by few documents, into sets; the date keys are read into
an order of document numbers; the field lengths scoring needs are read likewise, and
a field's term frequencies (for more-like-this) on first use. A new segment (an
incremental update) is read on the first search that sees it; the others are reused.
Numbers are kept in arrays (4 bytes each, not a Python int's 28).
"""

import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

# Fields whose terms are counted for the facets or filter a search (term → documents).
FACET_FIELDS = ("region", "topic", "official", "speaker", "year", "kind", "status")
# Fields that score: their per-document lengths (as Whoosh stores them) feed BM25F.
SCORED_FIELDS = ("title_words", "headings_words", "body_words", "title_chars", "body_chars")
PUBLISHED = "published"
# Document sets of dense terms converted for filtering, kept per reader.
_FILTER_SETS_KEPT = 16
# Terms held by fewer than 1 in SPARSE_RATIO documents are kept as sets: a bitset
# costs a bit per document of the index whatever the term's size.
SPARSE_RATIO = 64
# Segments remembered beyond those of the served reader (a previous generation
# still being read, a reader that just refreshed).
_SEGMENTS_KEPT = 64

_lock = threading.Lock()
_segments = {}  # segment id -> _SegmentColumns
_readers = {}  # tuple of (segment id, offset) -> ReaderColumns


@dataclass
class _SegmentColumns:
    size: int
    postings: dict  # field -> {term: array of segment docnums}
    newest: array  # sort key per segment docnum
    oldest: array
    lengths: dict  # scored field -> array of the length per segment docnum


def _read_lengths(leaf, fieldname):
    """The field's length per document as Whoosh's scorer sees it (quantized to a byte)."""
    size = leaf.doc_count_all()
    column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return array("i", [1]) * size  # Whoosh's default for a field without lengths
    return array("i", (byte_to_length(b) for b in column))


def _read_segment(leaf):
    postings = {}
    for fieldname in FACET_FIELDS:
        terms = {}
        # An index of an older schema lacks a newer field until it is rebuilt (rebuild_index --if-needed).
        for term in leaf.field_terms(fieldname) if fieldname in leaf.schema else ():
            terms[term] = array("i", leaf.postings(fieldname, term).all_ids())
        postings[fieldname] = terms
    return _SegmentColumns(
        size=leaf.doc_count_all(),
        postings=postings,
        newest=array("i", leaf.column_reader("newest_key", translate=True)),
        oldest=array("i", leaf.column_reader("oldest_key", translate=True)),
        lengths={fieldname: _read_lengths(leaf, fieldname) for fieldname in SCORED_FIELDS},
    )


def members(bits):
    """The document numbers set in an int bitset."""
    found = []
    for index, byte in enumerate(bits.to_bytes((bits.bit_length() + 7) // 8, "little")):
        base = index << 3
        while byte:
            low = byte & -byte
            found.append(base + low.bit_length() - 1)
            byte ^= low
    return found


def bitset(docnums, size):
    """The document numbers as an int with those bits set."""
    bits = bytearray((size >> 3) + 1)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


class ReaderColumns:
    """Facet postings and date orders of a whole reader (its segments joined)."""

    def __init__(self, parts):
        self.size = sum(part.size for part, _offset in parts) if parts else 0
        dense_from = max(1, self.size // SPARSE_RATIO)
        self.terms = {}
        for fieldname in FACET_FIELDS:
            joined = {}
            for part, offset in parts:
                for term, docnums in part.postings[fieldname].items():
                    joined.setdefault(term, []).extend(d + offset for d in docnums)
            self.terms[fieldname] = {
                term: bitset(docnums, self.size) if len(docnums) >= dense_from else frozenset(docnums)
                for term, docnums in joined.items()
            }
        newest, oldest = array("i"), array("i")
        self._lengths = {fieldname: array("i") for fieldname in SCORED_FIELDS}
        for part, _offset in parts:
            newest.extend(part.newest)
            oldest.extend(part.oldest)
            for fieldname in SCORED_FIELDS:
                self._lengths[fieldname].extend(part.lengths[fieldname])
        self._filter_sets = OrderedDict()
        self._filter_lock = threading.Lock()
        self._frequencies = {}
        # Whoosh's sorted collector orders by (key, document number); newest first is
        # the reversed key with document numbers still ascending.
        self.newest_order = array("i", sorted(range(len(newest)), key=lambda d: (-newest[d], d)))
        self.oldest_order = array("i", sorted(range(len(oldest)), key=lambda d: (oldest[d], d)))

    def bitset(self, docset):
        return bitset(docset, self.size)

    def lengths(self, fieldname):
        """Length of the field per document number (for BM25F)."""
        return self._lengths[fieldname]

    def docs_with(self, fieldname, term):
        """The set of documents holding term (deleted ones may be among them)."""
        held = self.terms[fieldname].get(term)
        if held is None:
            return frozenset()
        if not isinstance(held, int):
            return held
        key = (fieldname, term)
        with self._filter_lock:
            found = self._filter_sets.get(key)
            if found is None:
                found = self._filter_sets[key] = frozenset(members(held))
                while len(self._filter_sets) > _FILTER_SETS_KEPT:
                    self._filter_sets.popitem(last=False)
            else:
                self._filter_sets.move_to_end(key)
        return found

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

    def unpublished(self):
        """Documents whose status is not published (drafts, withdrawn, merged copies)."""
        found = set()
        for term in self.terms["status"]:
            if term != PUBLISHED:
                found |= self.docs_with("status", term)
        return found

    @staticmethod
    def _count(held, docset, docbits):
        if isinstance(held, int):
            return (held & docbits).bit_count()
        return len(held & docset)  # walks the smaller of the two

    def count(self, fieldname, term, docset, docbits):
        """Documents of docset (also given as docbits, see bitset()) holding term."""
        held = self.terms[fieldname].get(term)
        return 0 if held is None else self._count(held, docset, docbits)

    def counts(self, fieldname, docset, docbits):
        """{term: documents of docset holding it} for the terms held by any."""
        found = {}
        for term, held in self.terms[fieldname].items():
            count = self._count(held, docset, docbits)
            if count:
                found[term] = count
        return found

    def first_in_order(self, sort, docset, limit):
        """The first `limit` document numbers of docset, newest or oldest first."""
        order = self.newest_order if sort == "newest" else self.oldest_order
        found = []
        if limit <= 0:
            return found
        for docnum in order:
            if docnum in docset:
                found.append(docnum)
                if len(found) == limit:
                    break
        return found


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

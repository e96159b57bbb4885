"""The engine's queries evaluated over Whoosh's posting blocks, in numpy arrays.

Whoosh's matchers walk postings one document at a time through a tree of Python
objects; at 10,000 speeches a common character holds tens of thousands of postings,
at a microsecond or more each. What the engine asks has a fixed shape, so it is
evaluated here directly: each block of a term's postings (a pickled tuple, zlib
compressed: Whoosh 2.7's format, pinned in requirements.txt) is unpickled and turned
into arrays at once, and everything after that is array arithmetic in numpy:

    occurrences(needle)  where a string occurs literally, and how often, in titles
                         and texts: the character field's term for one or two
                         characters, else the positions of its adjacent pairs
    match(parsed)        AND over clauses of (OR over literals), minus the excluded
    bm25f(needles, docs) the documents' scores, below

A set of documents is a boolean mask over the reader's document numbers (its
segments one after another, Whoosh's global numbering); scores are an array over the
same numbers.

Scores are BM25F (Robertson and Zaragoza) over the literal occurrences: a needle's
counts in the title (×3) and in the text, each normalised by its field's length,
are added before they saturate, so a word in a title weighs three times one in the
text but never more than the word repeated; Whoosh's own BM25F saturates each field
apart, and one title word outscored every word of a query in the text. Statistics
are the index's: document count, average field length and field lengths as stored;
a needle's document frequency is the number of documents holding it literally.
Every sum is taken in the order the per-document loops took it, so the scores are
the same floating-point numbers.

Whoosh's BM25F on a word field stays for more-like-this (weighted_terms).

A segment never changes once written (deletions are kept beside it), so a term's
decoded postings in a segment — ids, weights, and for phrase checks its positions —
are kept per process, the most recently used first, under POSTINGS_CACHE_BYTES.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import chain
from math import log
from pickle import loads
from zlib import decompress

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE

CHAR_FIELDS = ("title_chars", "body_chars")
# BM25F: saturation and length normalisation (the usual values, Whoosh's defaults); an
# occurrence counts its field's boost (schema.py: title 3, text 1).
K1 = 1.2
B = 0.75
# Decoded postings kept per process (ids 8 bytes, weights 8, positions 4 a posting and
# position). At 10,000 speeches the common characters' and pairs' postings of a day's
# queries take a few tens of megabytes; the web worker's budget is 400 MB at 100,000.
POSTINGS_CACHE_BYTES = 96 * 1024 * 1024
# A list of ints pickled as Positions.encode writes it, after its 4-byte count: the
# protocol 2 header, EMPTY_LIST and BINPUT 0, then its items appended, then STOP.
_PROTOCOL_2 = b"\x80\x02"
_LIST_PICKLE = _PROTOCOL_2 + b"]q\x00"
_STOP = ord(".")
_NO_POSITIONS = np.zeros(0, np.int64)
# Postings whose positions are decoded together (a common pair holds tens of positions a posting).
DECODE_CHUNK = 4096


@dataclass
class Postings:
    """One term's postings over the whole reader (global document numbers, ascending),
    as lists (the bulk writer's tests and trends.py read them so)."""

    ids: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    values: list | None = None  # encoded positions, when asked for


@dataclass
class _Decoded:
    """A term's postings in one segment (deleted documents among them)."""

    ids: np.ndarray  # segment document numbers, ascending (int64)
    weights: np.ndarray  # float64, as Whoosh's matcher returns them
    values: list | None = None  # encoded values (read_postings only; never cached)
    positions: np.ndarray | None = None  # every posting's positions, one after another
    counts: np.ndarray | None = None  # positions per posting

    @property
    def nbytes(self):
        found = self.ids.nbytes + self.weights.nbytes
        if self.positions is not None:
            found += self.positions.nbytes + self.counts.nbytes
        return found


def _block_weights(weights, count):
    # W3LeafMatcher._read_weights: None is every weight 1, one float every weight that
    # (as a float32 array); else a tuple of Python floats.
    if weights is None:
        return np.ones(count, np.float64)
    if isinstance(weights, float):
        return np.full(count, np.float32(weights), np.float64)
    return np.asarray(weights, np.float64)


def _decode_leaf(matcher, values):
    """(ids, weights, encoded values or None) of a leaf matcher's postings."""
    ids, weights, found = [], [], [] if values else None
    if isinstance(matcher, W3LeafMatcher):
        matcher.reset()  # a wrapper may have stepped into the first block
        while matcher.is_active():
            # W3LeafMatcher._read_data, without its per-posting delta decoding.
            data = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
            block_ids, block_weights, block_values = loads(decompress(data) if matcher._compression else data)
            block_ids = np.asarray(block_ids, np.int64)
            ids.append(block_ids if matcher._byteids else np.cumsum(block_ids))
            weights.append(_block_weights(block_weights, matcher._blocklength))
            if values:
                if matcher._fixedsize is None or matcher._fixedsize < 0:
                    found.extend(block_values)
                else:
                    matcher._data = (None, None, block_values)
                    matcher._read_values()
                    found.extend(matcher._values)
            matcher._next_block()
        if not ids:
            return _NO_POSITIONS, np.zeros(0, np.float64), found
        return np.concatenate(ids), np.concatenate(weights), found
    # Postings inlined in the term's entry (one document) and any other matcher.
    matcher.reset()
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            found.append(matcher.value())
        matcher.next()
    return np.asarray(ids, np.int64), np.asarray(weights, np.float64), found


def decode_positions(values, format_):
    """(positions of every posting one after another, count per posting) of encoded
    values, DECODE_CHUNK postings at a time (the Python ints between pickle and array
    take ~36 bytes each)."""
    if len(values) <= DECODE_CHUNK:
        return _decode_chunk(values, format_)
    chunks = [_decode_chunk(values[i : i + DECODE_CHUNK], format_) for i in range(0, len(values), DECODE_CHUNK)]
    return np.concatenate([p for p, _c in chunks]), np.concatenate([c for _p, c in chunks])


def _decode_chunk(values, format_):
    """decode_positions of a few values. Positions.encode writes each as a 4-byte count
    and a list of deltas pickled (protocol 2: header, EMPTY_LIST, BINPUT 0, the items
    appended, STOP): the items of every value are appended to one list, read by one call."""
    if not values:
        return _NO_POSITIONS, _NO_POSITIONS
    if type(format_) is Positions:
        whole = np.frombuffer(b"".join(values), np.uint8)
        lengths = np.fromiter(map(len, values), np.int64, len(values))
        ends = np.cumsum(lengths)
        starts = ends - lengths
        head = _INT_SIZE + len(_LIST_PICKLE)
        if (lengths > head).all() and (whole[ends - 1] == _STOP).all() and all(
            (whole[starts + _INT_SIZE + i] == byte).all() for i, byte in enumerate(_LIST_PICKLE)
        ):
            counts = np.zeros(len(values), np.int64)
            for i in range(_INT_SIZE):  # the big-endian count
                counts = (counts << 8) | whole[starts + i]
            dropped = np.zeros(len(whole), bool)
            for i in range(head):
                dropped[starts + i] = True
            dropped[ends - 1] = True
            deltas = loads(_PROTOCOL_2 + b"]" + whole[~dropped].tobytes() + b".")
            if len(deltas) == int(counts.sum()):
                return _running_sums(np.fromiter(deltas, np.int64, len(deltas)), counts), counts
    # Another encoding: decoded one by one.
    lists = [format_.decode_positions(value) for value in values]
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    return np.fromiter(chain.from_iterable(lists), np.int64, int(counts.sum())), counts


def _running_sums(deltas, counts):
    """Each posting's deltas summed from its own start (Positions.decode_positions)."""
    sums = np.cumsum(deltas)
    ends = np.cumsum(counts)
    before = np.zeros(len(counts), np.int64)
    before[1:] = sums[ends[:-1] - 1]
    return sums - np.repeat(before, counts)


class _Cache:
    """Decoded postings per (segment, field, term, with positions), least recently used
    dropped first beyond POSTINGS_CACHE_BYTES."""

    def __init__(self, budget):
        self.budget = budget
        self.used = 0
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key, decoded):
        size = decoded.nbytes
        if size > self.budget // 4:  # one term never takes most of it
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = decoded
            self.used += size
            while self.used > self.budget:
                _key, dropped = self._entries.popitem(last=False)
                self.used -= dropped.nbytes

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.used = 0


_cache = _Cache(POSTINGS_CACHE_BYTES)


def _segment_postings(leaf, fieldname, term, positions=False, values=False):
    """(_Decoded of term in the segment or None, deleted segment docnums or None)."""
    try:
        matcher = leaf.postings(fieldname, term)
    except TermNotFound:
        return None, None
    deleted = None
    if isinstance(matcher, FilterMatcher):  # the segment has deletions
        deleted, matcher = matcher._ids, matcher.child
    key = (leaf.segment().segment_id(), fieldname, term, positions)
    decoded = None if values else _cache.get(key)
    if decoded is None:
        ids, weights, encoded = _decode_leaf(matcher, values or positions)
        decoded = _Decoded(ids, weights, encoded if values else None)
        if positions:
            decoded.positions, decoded.counts = decode_positions(encoded, leaf.schema[fieldname].format)
            decoded.positions = decoded.positions.astype(np.int32)
        if not values:
            _cache.put(key, decoded)
    return decoded, deleted


def segment_ids(leaf, fieldname, term):
    """The segment document numbers holding term, deleted ones among them (columns.py)."""
    matcher = leaf.postings(fieldname, term)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return _decode_leaf(matcher, False)[0]


def _kept(ids, deleted):
    """Mask of the postings whose documents are not deleted (None: all are kept)."""
    if not deleted:
        return None
    return ~np.isin(ids, np.fromiter(deleted, np.int64, len(deleted)))


def _live_postings(reader, fieldname, term, positions=False, values=False):
    """Per segment holding term: (_Decoded, mask of the postings of documents not
    deleted or None for all, their global document numbers, their weights)."""
    for leaf, offset in reader.leaf_readers():
        decoded, deleted = _segment_postings(leaf, fieldname, term, positions=positions, values=values)
        if decoded is None:
            continue
        keep = _kept(decoded.ids, deleted)
        ids, weights = decoded.ids, decoded.weights
        if keep is not None:
            ids, weights = ids[keep], weights[keep]
        yield decoded, keep, ids + offset, weights


def read_postings(reader, fieldname, term, positions=False):
    """Postings of term in fieldname across the reader's segments, deleted documents left out."""
    out = Postings(values=[] if positions else None)
    for decoded, keep, ids, weights in _live_postings(reader, fieldname, term, values=positions):
        out.ids.extend(ids.tolist())
        out.weights.extend(weights.tolist())
        if positions:
            values = decoded.values
            out.values.extend(values if keep is None else [v for v, k in zip(values, keep, strict=True) if k])
    return out


@dataclass
class TermArrays:
    """One term's postings over the whole reader as arrays (global document numbers,
    ascending; deleted documents left out); with positions, those of each posting one
    after another and their count per posting."""

    ids: np.ndarray
    weights: np.ndarray
    positions: np.ndarray | None = None
    counts: np.ndarray | None = None


def term_arrays(reader, fieldname, term, positions=False):
    """TermArrays of term in fieldname across the reader's segments."""
    ids, weights, found_positions, counts = [], [], [], []
    for decoded, keep, leaf_ids, leaf_weights in _live_postings(reader, fieldname, term, positions=positions):
        ids.append(leaf_ids)
        weights.append(leaf_weights)
        if positions:
            leaf_positions, leaf_counts = decoded.positions, decoded.counts
            if keep is not None:
                leaf_positions, leaf_counts = leaf_positions[np.repeat(keep, leaf_counts)], leaf_counts[keep]
            found_positions.append(leaf_positions)
            counts.append(leaf_counts)
    if not ids:
        empty = TermArrays(_NO_POSITIONS, np.zeros(0, np.float64))
        if positions:
            empty.positions, empty.counts = np.zeros(0, np.int32), _NO_POSITIONS
        return empty
    found = TermArrays(np.concatenate(ids), np.concatenate(weights))
    if positions:
        found.positions, found.counts = np.concatenate(found_positions), np.concatenate(counts)
    return found


def mask_of(docnums, size):
    """The boolean mask over `size` document numbers holding docnums (an array or any iterable)."""
    found = np.zeros(size, bool)
    found[docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, np.int64)] = True
    return found


@dataclass
class Occurrences:
    """Where a needle occurs literally: the documents holding it in the title or the
    text (ascending document numbers), and how often in each field, times the field's
    boost (title 3, text 1: schema.py), as the field's postings weigh it."""

    docs: np.ndarray
    weights: dict  # field name -> (document numbers, occurrences × field boost)


def _phrase_starts(found, pairs, cover, candidates):
    """Keys doc × 2^32 + start of the places where every cover pair i sits at start + i,
    in the candidate documents (a mask over document numbers)."""
    shift = len(pairs)  # keeps start + shift - i ≥ 0 for every pair i
    starts = None
    for i in cover:
        arrays = found[pairs[i]]
        held = candidates[arrays.ids]
        keys = np.repeat(arrays.ids[held] << 32, arrays.counts[held])
        keys += arrays.positions[np.repeat(held, arrays.counts)] + (shift - i)
        if starts is None:
            starts = keys
        else:  # both ascending, each key once
            where = np.searchsorted(keys, starts)
            where[where == len(keys)] = 0
            starts = starts[keys[where] == starts] if len(keys) else keys
        if not len(starts):
            break
    return starts


class Evaluator:
    """Evaluates the engine's queries on one searcher (see the module docstring)."""

    def __init__(self, searcher, columns):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.columns = columns
        self.size = self.reader.doc_count_all()
        self.weighting = searcher.weighting
        self._occurrences = {}  # needle -> Occurrences, for the life of one search
        self._masks = {}  # needle -> mask of Occurrences.docs

    def empty(self):
        """A mask holding no document."""
        return np.zeros(self.size, bool)

    def mask(self, docnums):
        return mask_of(docnums, self.size)

    # Scoring (Whoosh's BM25F, for more-like-this) ---------------------------------

    def _bm25(self, fieldname, term):
        """(idf, avgfl, B, K1) for a term, as Whoosh's BM25F scorer takes them."""
        weighting = self.weighting
        B = weighting._field_B.get(fieldname, weighting.B)
        return (
            self.searcher.idf(fieldname, term),
            self.searcher.avg_field_length(fieldname) or 1,
            B,
            weighting.K1,
        )

    def _term_scores(self, fieldname, term, postings):
        """BM25F score per posting of a term (TermArrays), as whoosh.scoring.bm25."""
        idf, avgfl, B, K1 = self._bm25(fieldname, term)
        lengths = self.columns.lengths(fieldname)[postings.ids]
        tf = postings.weights
        # whoosh.scoring.bm25, term for term (the same floating-point result).
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / avgfl)))

    # Matching ---------------------------------------------------------------------

    def _field_occurrences(self, fieldname, needle):
        """(document numbers, occurrences of needle × the field's boost) of the
        documents whose field holds it."""
        if len(needle) <= 2:
            # A posting's weight is its frequency times the field's boost.
            postings = term_arrays(self.reader, fieldname, needle)
            return postings.ids, postings.weights
        pairs = [needle[i : i + 2] for i in range(len(needle) - 1)]
        distinct = list(dict.fromkeys(pairs))
        held = {pair: term_arrays(self.reader, fieldname, pair) for pair in distinct}
        candidates = None
        for pair in sorted(distinct, key=lambda p: len(held[p].ids)):
            ids = held[pair].ids
            if candidates is None:
                candidates = self.mask(ids)
            else:
                kept = self.empty()
                kept[ids] = candidates[ids]
                candidates = kept
            if not candidates.any():
                return _NO_POSITIONS, np.zeros(0, np.float64)
        # Pairs at offsets 0, 2, 4, … (and the last) spell the whole needle: only their
        # positions are checked, the rarest first. Pair i must sit at start + i; each
        # start left is an occurrence.
        cover = sorted({*range(0, len(pairs), 2), len(pairs) - 1}, key=lambda i: len(held[pairs[i]].ids))
        found = {pairs[i]: term_arrays(self.reader, fieldname, pairs[i], positions=True) for i in cover}
        starts = _phrase_starts(found, pairs, cover, candidates)
        # The starts are ascending: each document's are one run.
        docnums = starts >> 32
        firsts = np.flatnonzero(np.diff(docnums, prepend=-1))
        counts = np.diff(firsts, append=len(docnums))
        boost = self.reader.schema[fieldname].format.field_boost
        return docnums[firsts], counts * boost

    def occurrences(self, needle):
        """Occurrences of needle (matchable form) in titles and texts, read once per search."""
        found = self._occurrences.get(needle)
        if found is None:
            weights = {fieldname: self._field_occurrences(fieldname, needle) for fieldname in CHAR_FIELDS}
            docs = np.union1d(*(ids for ids, _weights in weights.values())) if weights else _NO_POSITIONS
            found = self._occurrences[needle] = Occurrences(docs, weights)
        return found

    def holders(self, needle):
        """Mask of the documents holding needle."""
        found = self._masks.get(needle)
        if found is None:
            found = self._masks[needle] = self.mask(self.occurrences(needle).docs)
        return found

    def _any_of(self, literals):
        docs = self.empty()
        for literal in literals:
            docs |= self.holders(literal.needle)
        return docs

    def match(self, parsed):
        """Mask of the documents holding every clause (one of its literals) and no excluded literal."""
        result = None
        for clause in parsed.clauses:
            found = self._any_of(clause)
            result = found if result is None else result & found
            if not result.any():
                return self.empty()
        if result is None:
            return self.empty()
        if parsed.excluded:
            result &= ~self.excluded(parsed)
        return result

    def excluded(self, parsed):
        """Mask of the documents holding any excluded literal."""
        return self._any_of(parsed.excluded)

    def bm25f(self, needles, docs):
        """Score per document number (an array over the reader) of the documents of the
        mask docs for the needles, each a term, by BM25F (see K1); 0 elsewhere."""
        count = self.reader.doc_count()
        fields = []
        for fieldname in CHAR_FIELDS:
            average = self.searcher.avg_field_length(fieldname) or 1
            fields.append((fieldname, self.columns.lengths(fieldname), average))
        scores = np.zeros(self.size, np.float64)
        for needle in dict.fromkeys(needles):
            found = self.occurrences(needle)
            held = len(found.docs)
            if not held:
                continue
            needle_idf = idf(held, count)
            weighted = np.zeros(self.size, np.float64)
            for fieldname, lengths, average in fields:
                ids, weights = found.weights[fieldname]
                # Each document once per field: the sums run title then text, as before.
                weighted[ids] += weights / ((1 - B) + B * lengths[ids] / average)
            touched = found.docs[docs[found.docs]]
            frequency = weighted[touched]
            scores[touched] += needle_idf * frequency * (K1 + 1) / (frequency + K1)
        return scores

    def weighted_terms(self, fieldname, terms):
        """(score per document number, mask of the documents holding any term) of the
        (term, weight) pairs: Whoosh's Or of Terms boosted by their weights (more-like-this)."""
        scores = np.zeros(self.size, np.float64)
        held = self.empty()
        for term, weight in terms:
            postings = term_arrays(self.reader, fieldname, term)
            scores[postings.ids] += self._term_scores(fieldname, term, postings) * weight
            held[postings.ids] = True
        return scores, held

    def live(self):
        """Mask of every document of the reader not deleted (a search with filters only)."""
        found = np.ones(self.size, bool)
        for leaf, offset in self.reader.leaf_readers():
            if leaf.has_deletions():
                # SegmentReader.postings reads its deletions so.
                deleted = list(leaf._perdoc.deleted_docs())
                found[np.asarray(deleted, np.int64) + offset] = False
        return found

    def live_docs(self):
        """The set of every document of the reader not deleted."""
        return set(np.flatnonzero(self.live()).tolist())


def idf(held, count):
    """BM25's inverse document frequency of a needle `held` by documents of `count`
    (Lucene's form: never negative, so a common word still counts a little)."""
    return log(1 + (count - held + 0.5) / (held + 0.5))


def top(scores, docs, limit):
    """The `limit` best document numbers of the mask docs by their scores (an array over
    the reader), best first; equal scores in document order (Whoosh's)."""
    docnums = np.flatnonzero(docs)
    if limit <= 0 or not len(docnums):
        return []
    found = scores[docnums]
    if len(docnums) > limit:
        # The limit-th best score; every better one is in, equal ones by document number.
        bar = np.partition(found, len(found) - limit)[len(found) - limit]
        better = found > bar
        equal = np.flatnonzero(found == bar)[: limit - int(better.sum())]
        chosen = np.flatnonzero(better)
        chosen = np.sort(np.concatenate([chosen, equal]))
        docnums, found = docnums[chosen], found[chosen]
    # Stable: ascending document numbers stay in order among equal scores.
    order = np.argsort(-found, kind="stable")
    return docnums[order].tolist()

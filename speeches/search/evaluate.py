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
decoded postings in a segment — ids, weights, and for phrase checks its positions,
in the narrowest types that hold them — are kept per process, the least recently
used dropped first, under POSTINGS_CACHE_BYTES.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from io import BytesIO
from itertools import chain
from math import log
from operator import sub
from pickle import load as pickle_load
from pickle import loads
from struct import Struct
from zlib import decompress

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3TermInfo
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from speeches.search.schema import CompactPositions

CHAR_FIELDS = ("title_chars", "body_chars")
# BM25F: saturation and length normalisation (the usual values, Whoosh's defaults); an
# occurrence counts its field's boost (schema.py: title 3, text 1).
K1 = 1.2
B = 0.75
# Decoded postings kept per process (ids, weights and position counts 4 bytes a posting,
# positions 2 a position: _Decoded). At 100,000 speeches the common characters' and
# pairs' postings of the bench's whole query mix fit. The web worker's budget is 400 MB
# at 100,000, where it holds ~250 MB besides (index tables, facet columns, related
# speeches' term frequencies); over the bench's requests it peaked at 304 MB.
POSTINGS_CACHE_BYTES = 64 * 1024 * 1024
# CompactPositions' type codes: 2-byte and 4-byte positions.
_NARROW, _WIDE = ord("H"), ord("I")
_NO_POSITIONS = np.zeros(0, np.int64)
# A block's length in Whoosh's posting files (whoosh.system.pack_int).
_BLOCK_LENGTH = Struct("!i")


@dataclass
class Postings:
    """One term's postings over the whole reader (global document numbers, ascending),
    as lists (the bulk writer's tests and trends.py read them so)."""

    ids: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    values: list | None = None  # encoded positions, when asked for


@dataclass
class _Decoded:
    """A term's postings in one segment (deleted documents among them), as the cache
    keeps them: in the narrowest types that hold them exactly, so that a day's common
    terms fit its budget (_compact)."""

    ids: np.ndarray  # segment document numbers, ascending (int32)
    weights: np.ndarray  # float32 (as stored) unless a weight needs more
    values: list | None = None  # encoded values, only when asked for (never cached)
    positions: np.ndarray | None = None  # every posting's positions one after another
    counts: np.ndarray | None = None  # positions per posting (int32)

    @property
    def nbytes(self):
        arrays = (self.ids, self.weights, self.positions, self.counts)
        return sum(array.nbytes for array in arrays if array is not None)


def _compact(ids, weights):
    """(ids, weights) of decoded postings in the narrowest exact types: int32 document
    numbers (a segment holds fewer than 2^31), float32 weights (Whoosh stores them so;
    a weight inlined in a term's entry may be any float, and stays float64)."""
    narrow = weights.astype(np.float32)
    return ids.astype(np.int32), narrow if np.array_equal(narrow, weights) else weights


def _decode_leaf(matcher, values):
    """(ids, weights, encoded values or None) of a leaf matcher's postings."""
    if isinstance(matcher, W3LeafMatcher):
        return _decode_blocks(matcher, values)
    # Postings inlined in the term's entry (one document) and any other matcher.
    ids, weights, found = [], [], [] if values else None
    matcher.reset()
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            found.append(matcher.value())
        matcher.next()
    return np.asarray(ids, np.int64), np.asarray(weights, np.float64), found


def _decode_blocks(matcher, values):
    """_decode_leaf of a W3LeafMatcher: the term's whole extent read at once and its
    blocks taken apart in one loop (_read_blocks), the ids of every block turned into one
    array afterwards. Besides inflating, walking the matcher block by block cost ~70 µs a
    block at 100,000 speeches, this ~40 (most of it unpickling)."""
    length = matcher._length
    if isinstance(length, tuple):  # W3TermInfo.from_bytes reads it as unpack_int's 1-tuple
        (length,) = length
    gaps, counts, weights, found = [], [], [], [] if values else None
    _read_blocks(matcher._postfile.get(matcher._startoffset, length), matcher._fixedsize, gaps, counts, weights,
                 found, matcher._term)
    if matcher._byteids:
        counts = np.asarray(counts, np.int64)
        ids, ends = np.fromiter(chain.from_iterable(gaps), np.int64, int(counts.sum())), np.cumsum(counts)
    else:
        ids, counts, ends = _ids_of_blocks(gaps, counts)
    return ids, _weights_of_blocks(weights, counts, ends), found


def _read_blocks(raw, fixed_size, gaps, counts, weights, found, term=None):
    """Take apart one term's postings (W3LeafMatcher._goto and _read_data: Whoosh's tag,
    then blocks of a length, negative for the last, the pickled block info, the pickled
    data, maybe compressed), appending each block's ids (as stored), count and weights,
    and its values when found is a list."""
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"postings of {term!r} do not start with Whoosh's block tag")
    stream, view = BytesIO(raw), memoryview(raw)
    position, last = 4, False
    while not last:
        (length,) = _BLOCK_LENGTH.unpack_from(raw, position)
        last = length < 0
        stream.seek(position + 4)
        count, _last_id, _max_weight, compression, _min_length, _max_length = pickle_load(stream)
        position += 4 + abs(length)
        data = view[stream.tell() : position]
        block_ids, block_weights, block_values = loads(decompress(data) if compression else data)
        gaps.append(block_ids)
        counts.append(count)
        weights.append(block_weights)
        if found is not None:
            if fixed_size is None or fixed_size < 0:
                found.extend(block_values)
            elif fixed_size == 0:
                found.extend((None,) * count)
            else:  # W3LeafMatcher._read_values
                found.extend(block_values[i : i + fixed_size] for i in range(0, len(block_values), fixed_size))


def _ids_of_blocks(gaps, counts):
    """(ids, counts, ends) of blocks whose ids are gaps from 0 (each block's first is the
    id itself): one running sum, less what the blocks before each summed to."""
    counts = np.asarray(counts, np.int64)
    ids = np.cumsum(np.fromiter(chain.from_iterable(gaps), np.int64, int(counts.sum())))
    ends = np.cumsum(counts)
    ids -= np.repeat(np.concatenate(([0], ids[ends[:-1] - 1])), counts)
    return ids, counts, ends


# Postings read at a time by segment_field_postings.
_SCAN_POSTINGS = 1_000_000


def segment_field_postings(leaf, fieldname):
    """Every term of fieldname in a segment with its postings (deleted documents among
    them), in term order, for a merge: batches of (term texts, postings per term,
    segment document numbers, weights, encoded values). The terms file is read in order
    (_field_terms) and each term's blocks taken apart (_read_blocks), without the
    lookup, matcher and calls a posting that reading through Whoosh's matchers costs
    (~60 µs a term)."""
    postfile = leaf._terms._postfile
    fixed_size = leaf.schema[fieldname].format.fixed_value_size()
    texts, sizes, gaps, counts, weights, found = [], [], [], [], [], []
    for term_texts, infos, inlined in _field_terms(leaf._terms, fieldname):
        for number, (text, offset, length) in enumerate(zip(term_texts, *infos, strict=True)):
            held = len(counts)
            if length < 0:  # postings inlined in the term's entry, as one block: ids as gaps from 0
                ids, inlined_weights, values = inlined[number].inlined_postings()
                gaps.append(tuple(map(sub, ids, (0, *ids[:-1]))))
                counts.append(len(ids))
                weights.append(tuple(inlined_weights))
                found.extend(values)
            else:
                _read_blocks(postfile.get(offset, length), fixed_size, gaps, counts, weights, found, (fieldname, text))
            texts.append(text)
            sizes.append(sum(counts[held:]))
            if len(found) >= _SCAN_POSTINGS:
                yield _scanned(texts, sizes, gaps, counts, weights, found)
                texts, sizes, gaps, counts, weights, found = [], [], [], [], [], []
    if texts:
        yield _scanned(texts, sizes, gaps, counts, weights, found)


# W3TermInfo.to_bytes's layout ("!BfIBBfII", then a long and an int), for postings not inlined.
TERM_INFO = np.dtype([
    ("inlined", "u1"), ("weight", ">f4"), ("frequency", ">u4"), ("low_length", "u1"), ("high_length", "u1"),
    ("high_weight", ">f4"), ("first_id", ">u4"), ("last_id", ">u4"), ("offset", ">i8"), ("length", ">i4"),
])
# The terms file's records: key length and value length, then the key and the value.
_RECORD_LENGTHS = Struct("!ii")
# Bytes of the terms file read at a time.
_TERMS_READ = 4 << 20


def _field_terms(terms, fieldname):
    """A W3TermsReader's entries of fieldname in term order, in batches of (term texts
    as bytes, (postings offsets, postings lengths), {place: W3TermInfo} of the entries
    whose postings are inlined, their length given as -1). The records are read from
    the file a few MB at a time and taken apart in one loop, their term infos as one
    numpy array: Whoosh's items_from reads each record with four file calls and decodes
    each info in Python (~25 µs a term, most of a merge's reading)."""
    tindex = terms._tindex
    prefix = terms._keycoder(fieldname, b"")
    position = tindex.closest_key_pos(prefix)
    end = tindex.endofdata
    unpack_lengths, head = _RECORD_LENGTHS.unpack_from, _RECORD_LENGTHS.size
    while position is not None and position < end:
        raw = tindex.dbfile.get(position, min(_TERMS_READ, end - position))
        texts, values, at, finished = [], [], 0, False
        while at + head <= len(raw):
            key_length, value_length = unpack_lengths(raw, at)
            record_end = at + head + key_length + value_length
            if record_end > len(raw):
                if at == 0:  # one record longer than a read: read as far as it goes
                    raw = tindex.dbfile.get(position, record_end)
                    continue
                break
            key = raw[at + head : at + head + key_length]
            if key[:2] != prefix:
                finished = True
                break
            texts.append(key[2:])
            values.append(raw[at + head + key_length : record_end])
            at = record_end
        position += at
        if texts:
            yield (texts, *_term_extents(values))
        if finished or not texts:
            return


def _term_extents(values):
    """((offsets, lengths), {place: W3TermInfo}) of encoded term infos: those of
    TERM_INFO's size that are not inlined read as one array, the inlined ones decoded."""
    offsets, lengths = np.zeros(len(values), np.int64), np.full(len(values), -1, np.int64)
    plain = [number for number, value in enumerate(values) if len(value) == TERM_INFO.itemsize and value[0] == 0]
    infos = np.frombuffer(b"".join([values[number] for number in plain]), TERM_INFO)
    offsets[plain], lengths[plain] = infos["offset"], infos["length"]
    inlined = {}
    for number in np.flatnonzero(lengths < 0).tolist():
        info = W3TermInfo.from_bytes(values[number])
        if info.is_inlined():
            inlined[number] = info
        else:  # another layout of a plain entry: as Whoosh reads it
            offsets[number], length = info.extent()
            lengths[number] = length[0] if isinstance(length, tuple) else length
    return (offsets.tolist(), lengths.tolist()), inlined


def _scanned(texts, sizes, gaps, counts, weights, found):
    ids, counts, ends = _ids_of_blocks(gaps, counts)
    return texts, sizes, ids, _weights_of_blocks(weights, counts, ends), found


def _weights_of_blocks(weights, counts, ends):
    # W3LeafMatcher._read_weights: None is every weight 1, one float every weight that
    # (as a float32 array); else a sequence of floats.
    found = np.ones(int(ends[-1]) if len(ends) else 0, np.float64)
    for weight, count, end in zip(weights, counts.tolist(), ends.tolist(), strict=True):
        if weight is None:
            continue
        found[end - count : end] = np.float32(weight) if isinstance(weight, float) else weight
    return found


def decode_positions(values, format_):
    """(positions of every posting one after another, count per posting) of encoded
    values. The index's CompactPositions (schema.py) stores a posting's positions as
    an array of 2- or 4-byte integers behind a type code: the values are joined and
    read as one array (uint16, or uint32 when any is wide); any other format is
    decoded one value at a time (int64)."""
    if not values:
        return _NO_POSITIONS, _NO_POSITIONS
    if type(format_) is CompactPositions:
        whole = np.frombuffer(b"".join(values), np.uint8)
        starts, wide, counts = _compact_counts(whole, values)
        if counts is not None:
            if not wide.any() or wide.all():
                body = np.ones(len(whole), bool)
                body[starts] = False
                return np.frombuffer(whole[body].tobytes(), np.uint32 if wide.any() else np.uint16), counts
            # Some postings beyond position 65,535: each kind read apart, then put in place.
            positions = np.empty(int(counts.sum()), np.uint32)
            firsts = np.cumsum(counts) - counts
            for kind, dtype in ((False, np.uint16), (True, np.uint32)):
                chosen = np.flatnonzero(wide == kind)
                found = np.frombuffer(b"".join([values[i][1:] for i in chosen.tolist()]), dtype)
                positions[_places(firsts[chosen], counts[chosen])] = found
            return positions, counts
    lists = [format_.decode_positions(value) for value in values]
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    return np.fromiter(chain.from_iterable(lists), np.int64, int(counts.sum())), counts


def _compact_counts(whole, values):
    """(where each value starts in whole, which are of 4-byte positions, count per
    value) of CompactPositions values joined into whole; counts None when a value
    has another type code."""
    lengths = np.fromiter(map(len, values), np.int64, len(values))
    starts = np.cumsum(lengths) - lengths
    codes = whole[starts]
    wide = codes == _WIDE
    if not ((codes == _NARROW) | wide).all():
        return starts, wide, None
    return starts, wide, (lengths - 1) // np.where(wide, 4, 2)


def _places(firsts, counts):
    """Where each position of postings (firsts, counts) goes in an array of all of them:
    its posting's first place plus its rank there."""
    rank = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(firsts, counts) + rank


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
                return found[0]
            return None

    def put(self, key, decoded):
        size = decoded.nbytes
        if size > self.budget // 4:  # one term never takes most of it
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (decoded, size)
            self.used += size
            while self.used > self.budget:
                _key, (_dropped, dropped_size) = self._entries.popitem(last=False)
                self.used -= dropped_size

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
    if decoded is None and not positions and not values:
        # The same ids and weights, kept with positions by a phrase check before.
        decoded = _cache.get(key[:3] + (True,))
    if decoded is None:
        ids, weights, found = _decode_leaf(matcher, values or positions)
        decoded = _Decoded(*_compact(ids, weights))
        if values:
            decoded.values = found
            return decoded, deleted
        if positions:
            # Every posting's positions at once: joined and read as one array, about
            # as fast as reading the values' lengths alone, and a quarter of the memory
            # the values took as bytes objects.
            decoded.positions, counts = decode_positions(found, leaf.schema[fieldname].format)
            decoded.counts = counts.astype(np.int32)
        _cache.put(key, decoded)
    return decoded, deleted


def _positions_of(decoded, selected):
    """(positions, count per posting) of the postings `selected` (a mask over the
    segment's postings)."""
    return decoded.positions[np.repeat(selected, decoded.counts)], decoded.counts[selected]


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
    # A mask over the segment's numbers, not np.isin: its hashing took ~25 ms for a
    # common character's postings at 100,000 speeches.
    gone = np.fromiter(deleted, np.int64, len(deleted))
    is_gone = np.zeros(max(int(gone.max()), int(ids[-1]) if len(ids) else 0) + 1, bool)
    is_gone[gone] = True
    return ~is_gone[ids]


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
        # Global numbers in 64 bits (a phrase check shifts them left by 32), weights
        # as Whoosh's matcher returns them.
        yield decoded, keep, np.add(ids, offset, dtype=np.int64), weights.astype(np.float64)


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


def term_arrays(reader, fieldname, term, positions=False, only=None, cache_positions=False):
    """TermArrays of term in fieldname across the reader's segments; with `only` (a mask
    over document numbers), of those documents only. cache_positions: without positions,
    but they are decoded with the rest and cached for a read of them to come, which then
    does not decode the blocks again."""
    ids, weights, found_positions, counts = [], [], [], []
    with_positions = positions or cache_positions
    for decoded, keep, leaf_ids, leaf_weights in _live_postings(reader, fieldname, term, positions=with_positions):
        if only is not None:
            chosen = only[leaf_ids]
            leaf_ids, leaf_weights = leaf_ids[chosen], leaf_weights[chosen]
        ids.append(leaf_ids)
        weights.append(leaf_weights)
        if positions:
            selected = np.ones(len(decoded.ids), bool) if keep is None else keep.copy()
            if only is not None:
                selected[selected] = chosen
            leaf_positions, leaf_counts = _positions_of(decoded, selected)
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


def _common(starts, keys):
    """The starts also among keys (both ascending, each key once)."""
    if not len(keys):
        return keys
    where = np.searchsorted(keys, starts)
    where[where == len(keys)] = 0
    return starts[keys[where] == starts]


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
        # Pairs at offsets 0, 2, 4, … (and the last) spell the whole needle: only their
        # positions are checked (below), so their blocks are read with them at once.
        spelling = {*range(0, len(pairs), 2), len(pairs) - 1}
        checked = {pairs[i] for i in spelling}
        held = {pair: term_arrays(self.reader, fieldname, pair, cache_positions=pair in checked) for pair in distinct}
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
        # The spelling pairs' positions are checked, the rarest first. Pair i must sit at
        # start + i; each start left is an occurrence.
        # Keys document × 2^32 + start (+ len(pairs), never negative); each pair's
        # positions are read for the documents whose starts are left.
        cover = sorted(spelling, key=lambda i: len(held[pairs[i]].ids))
        starts = None
        for i in cover:
            found = term_arrays(self.reader, fieldname, pairs[i], positions=True, only=candidates)
            keys = np.repeat(found.ids << 32, found.counts) + found.positions + (len(pairs) - i)
            starts = keys if starts is None else _common(starts, keys)
            if not len(starts):
                break
            candidates = self.mask(starts >> 32)
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
            # The union through a mask, not np.union1d: its hashing took ~25 ms for a
            # common character at 100,000 speeches, the mask under one.
            held = self.empty()
            for ids, _weights in weights.values():
                held[ids] = True
            self._masks[needle] = held
            found = self._occurrences[needle] = Occurrences(np.flatnonzero(held), weights)
        return found

    def holders(self, needle):
        """Mask of the documents holding needle."""
        if needle not in self._masks:
            self.occurrences(needle)  # keeps the mask
        return self._masks[needle]

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

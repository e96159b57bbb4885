"""Writing whole segments, postings held in memory per term (rebuilds and updates).

Whoosh's SegmentWriter pushes every posting through its pool (a tuple, a sort,
runs spilled with marshal), then through the codec one call at a time, reading
the document's field length back from disk for each (W3FieldWriter.add_postings):
about 25 µs a posting in Python, ~3,400 postings a speech. Here the word and
character fields, nearly all the postings, are kept as numpy arrays a document at a
time (_PositionsTable) and written by assembling every block's bytes for many terms at
once in numpy (_write_positions_field; adding and writing a 1,000-speech segment took
19.4 ms a speech with a tuple a posting, 8.5 with arrays); the other fields
keep a tuple a posting in per-term lists, each term's list cut into blocks of 128
encoded as a whole (_write_postings).
The layout is Whoosh's W3 codec's, and what is written reads back exactly as what
Whoosh's writer writes for the same documents (tested): Whoosh's reader unpickles
any protocol and decompresses only blocks marked compressed, so every reader,
merge and update works unchanged.
"""

import gc
import zlib
from array import array
from collections import defaultdict
from contextlib import contextmanager
from functools import partial
from hashlib import md5 as md5_digest
from itertools import islice
from operator import sub
from pickle import dumps
from struct import Struct

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import _length_byte_cache, byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from speeches.search.evaluate import TERM_INFO, decode_positions, segment_field_postings
from speeches.search.schema import CharGramField, CompactPositions, _FastText

# What Whoosh's W3Codec uses by default (postings per block, zlib level).
BLOCK_LIMIT = 128
COMPRESSION = 3
# Whoosh pickles blocks with protocol 2, which spells each bytes value as a call of
# codecs.encode on a latin-1 string (~15 bytes of overhead a posting); protocol 5
# writes the bytes as they are, and a block's weights as one array of floats.
BLOCK_PICKLE_PROTOCOL = 5
# zlib's window and hash table sized for a block (a few KB): zlib.compress's defaults
# (32 KB window, memLevel 8) spend ~50 µs setting up ~260 KB per call, 20 times the
# compressing itself; readers inflate either (zlib.decompress takes any window).
WINDOW_BITS = 12
MEMORY_LEVEL = 4
# Blocks whose pickle is shorter are written uncompressed (see _write_postings).
COMPRESS_MIN_BYTES = 128
# Postings a writer holds in memory (~90 bytes each at the peak, while the segment is
# written: 2.7 GB): a rebuild's writer writes a
# segment when it holds this many (settings.SEARCH_REBUILD_SEGMENT_POSTINGS), and no merge
# brings more into memory (merge_small_segments).
MAX_POSTINGS_HELD = 30_000_000
# Segments merged together, and how much larger than the smallest the largest of them may be.
MERGE_FAN_IN = 8


@contextmanager
def _cycle_collection_paused():
    """Python's cycle collector paused while postings go into the table: each document
    adds thousands of tuples and lists (none in a cycle), and the collector, run every
    700 new objects, walked the whole growing table again and again: 45% of adding a
    document at 1,000 speeches a segment, more as segments grow. Paused per document,
    not per rebuild: the database rows read in between do form cycles (a prefetched
    section refers back to its speech), and are collected as before."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class BulkSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with the postings of its new segment kept in memory
    (_PositionsTable for the word and character fields, per-term lists for the others)
    and written in bulk: used for rebuilds and for queued updates
    (deletions work as in Whoosh's; small segments are merged as merge_small_segments
    says). It supports the fields this index uses: no spelling words, no term vectors.
    max_postings bounds the postings a merge brings into memory (~90 bytes each)."""

    def __init__(self, ix, max_postings=MAX_POSTINGS_HELD, **kwargs):
        super().__init__(ix, **kwargs)
        self.ix = ix
        self.max_postings = max_postings
        for name, field in self.schema.items():
            if field.separate_spelling() or field.vector:
                raise ValueError(f"field {name!r}: spelling words and vectors are not written in bulk")
        # {field name: {term bytes: [(docnum, weight, value bytes), …]}}, docnums ascending:
        # the fields other than the word and character fields (few postings a document)
        self.postings = {}
        # {field name: _PositionsTable}: the word and character fields (_FastText)
        self.tables = {}
        # {field name: {docnum: length as the index stores it (one byte, decoded)}}
        self.lengths = {}
        self.posting_count = 0
        # Segments of this update written by other processes (indexing._written_in_two),
        # made part of the index by this writer's commit.
        self.written_apart = []
        # When set (indexing.forked), a merge this commit makes is shared with a process
        # it forks: half the segments merged there into a segment of their own.
        self.merge_apart = None

    def add_document(self, **fields):
        with _cycle_collection_paused():
            self._add_document(fields)

    def _merge_segments(self, mergetype, optimize, merge):
        # A commit without a policy of its own merges as merge_small_segments says, not
        # as Whoosh's MERGE_SMALL (see there).
        mergetype = mergetype if mergetype is not None else self.mergetype
        optimize = optimize if optimize is not None else self.optimize
        merge = merge if merge is not None else self.merge
        if not mergetype and not optimize and merge:
            mergetype = merge_small_segments
        return super()._merge_segments(mergetype, optimize, merge) + self.written_apart

    def _add_document(self, fields):
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                fieldboost = self._field_boost(fields, fieldname, docboost)
                if isinstance(field, _FastText):
                    length = self._add_positions(fieldname, field, docnum, value, fieldboost)
                else:
                    terms = self.postings.get(fieldname)
                    if terms is None:
                        terms = self.postings[fieldname] = defaultdict(list)
                    for tbytes, freq, weight, vbytes in field.index(value):
                        terms[tbytes].append((docnum, weight * fieldboost, vbytes))
                        length += freq
                        self.posting_count += 1
                if not field.scorable:
                    length = 0
                elif length:
                    # What W3FieldWriter reads back for each posting: the length
                    # squeezed into a byte.
                    self.lengths.setdefault(fieldname, {})[docnum] = byte_to_length(length_to_byte(length))
            stored = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            column = field.column_type
            if column and stored is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _table(self, fieldname, field):
        table = self.tables.get(fieldname)
        if table is None:
            table = self.tables[fieldname] = _PositionsTable(field)
        return table

    def _add_positions(self, fieldname, field, docnum, value, fieldboost):
        """A _FastText field's postings of one document (a str) into its table, as the
        arrays field.term_arrays makes: returns the field's length."""
        terms, counts, positions = field.term_arrays(value)
        weights = counts * (field.format.field_boost * fieldboost)
        self._table(fieldname, field).add(np.full(len(counts), docnum, np.int32), terms, counts, positions, weights)
        self.posting_count += len(counts)
        return int(counts.sum())

    def add_postings_to_pool(self, reader, startdoc, docmap):
        """Postings of a segment merged into this one (Whoosh's merge policy calls this
        after the segment's stored fields were copied), into the tables in memory: their
        document numbers come after every document added here, so each term's stay
        ascending. Read a field at a time in term order (evaluate.segment_field_postings),
        not a posting at a time through Whoosh's matchers, which made merges most of
        what an import of 1,000-speech files cost."""
        schema = self.schema
        # The segment's document numbers in this one, -1 for a deleted document.
        if docmap is None:
            renumbered = np.arange(startdoc, startdoc + reader.doc_count_all(), dtype=np.int64)
        else:
            renumbered = np.full(reader.doc_count_all(), -1, np.int64)
            renumbered[np.fromiter(docmap, np.int64, len(docmap))] = np.fromiter(docmap.values(), np.int64, len(docmap))
        for fieldname in sorted(name for name in reader.indexed_field_names() if name in schema):
            field = schema[fieldname]
            for texts, sizes, ids, weights, values in segment_field_postings(reader, fieldname):
                docnums = renumbered[ids]
                kept = docnums >= 0
                if not kept.all():
                    sizes = np.add.reduceat(kept.astype(np.int64), np.cumsum(sizes) - sizes)
                    docnums, weights = docnums[kept], weights[kept]
                    values = [value for value, keep in zip(values, kept.tolist(), strict=True) if keep]
                self.posting_count += len(docnums)
                if isinstance(field, _FastText):
                    self._table(fieldname, field).add_terms([text.decode("utf-8") for text in texts], sizes,
                                                            docnums, weights, values)
                    continue
                postings = self.postings.get(fieldname)
                if postings is None:
                    postings = self.postings[fieldname] = defaultdict(list)
                found = zip(docnums.tolist(), weights.tolist(), values, strict=True)
                for text, size in zip(texts, np.asarray(sizes).tolist(), strict=True):
                    if size:
                        postings[text] += islice(found, size)
        for fieldname in schema.scorable_names():
            lengths = self.lengths.setdefault(fieldname, {})
            for docnum in range(reader.doc_count_all()):
                if docmap is not None and docnum not in docmap:
                    continue  # deleted: not copied
                length = reader.doc_field_length(docnum, fieldname)
                if length:
                    lengths[docmap[docnum] if docmap is not None else startdoc + docnum] = length

    def _flush_segment(self):
        with _cycle_collection_paused():
            self._write_segment()

    def _write_segment(self):
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        postfile = fieldwriter._postfile
        add_term = fieldwriter._tindex.add
        tables = {name: table for name, table in self.tables.items() if table.size}
        for fieldname in sorted({name for name, terms in self.postings.items() if terms} | set(tables)):
            field = self.schema[fieldname]
            fieldwriter.start_field(fieldname, field)
            prefix = pack_ushort(fieldwriter._fieldid)
            lengths = self.lengths.get(fieldname, {})
            if fieldname in tables:
                _write_positions_field(postfile, fieldwriter._tindex, prefix, tables[fieldname], lengths)
            else:
                terms = self.postings[fieldname]
                fixed_size = field.format.fixed_value_size()
                compress = not isinstance(field.format, CompactPositions)
                for term in sorted(terms):
                    terminfo = _write_postings(postfile, terms[term], lengths, fixed_size, compress)
                    add_term(prefix + term, terminfo.to_bytes())
            fieldwriter.finish_field()
        fieldwriter.close()
        self.postings.clear()
        self.tables.clear()
        self.lengths.clear()


def merge_small_segments(writer, segments):
    """The merge policy of a BulkSegmentWriter's commit: the segments left as they are;
    those merged into the writer are read into its memory.

    Whoosh's MERGE_SMALL merges every segment up to a "merge point" that grows with the
    number of segments (a Fibonacci number of documents): once an index of 100,000
    speeches had ~20 segments, the point passed the largest and a queued update merged
    the whole index, here in memory: 22 GB when it was stopped. Instead the
    MERGE_FAN_IN smallest segments are merged into one when they are of a size (the
    largest at most MERGE_FAN_IN times the smallest), so a posting is rewritten a few
    times at most, and when they hold at most writer.max_postings postings together: a
    rebuild's segments, written up to that bound, stay as they are.

    A segment whose every document was deleted (all replaced since: the extraction
    drain re-indexes whole files) is dropped unread; merged, all its postings would be
    read to keep none."""
    segments = [segment for segment in segments if segment.doc_count()]
    sizes = {segment: _postings_bound(segment) for segment in segments}
    smallest = sorted(segments, key=sizes.get)[:MERGE_FAN_IN]
    if (
        len(smallest) < MERGE_FAN_IN
        or sizes[smallest[-1]] > MERGE_FAN_IN * max(1, sizes[smallest[0]])
        or sum(sizes[segment] for segment in smallest) > writer.max_postings
    ):
        return list(segments)
    kept = [segment for segment in segments if segment not in smallest]
    if writer.merge_apart is None:
        _read_into(writer, smallest)
        return kept
    # A merge is pure Python, one core: half the segments read and written as one segment
    # by a forked process while this one does the same with the other half.
    here, apart = smallest[: len(smallest) // 2], smallest[len(smallest) // 2 :]
    with writer.merge_apart(partial(_merged_apart, writer, apart)) as merged_apart:
        return kept + _merged_apart(writer, here) + merged_apart()


def _read_into(writer, segments):
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()


def _merged_apart(writer, segments):
    """segments merged into one new segment by a writer of their own (for each half of a
    shared merge), as [segment]."""
    merger = BulkSegmentWriter(writer.ix, max_postings=writer.max_postings, _lk=False, compound=writer.compound)
    _read_into(merger, segments)
    return [merger._finalize_segment()]


def _postings_bound(segment):
    """At most how many postings a segment holds: its fields' lengths summed (a posting
    is a term in a document, found there once or more), its documents for the others."""
    lengths = getattr(segment, "_fieldlengths", None) or {}
    return sum(lengths.values()) + segment.doc_count_all()


class SegmentSeries:
    """Documents written as segments of at most `max_postings` postings each, so a
    writer's memory stays bounded (~90 bytes a posting) whatever the archive's size."""

    def __init__(self, ix, max_postings, **writer_options):
        self.ix = ix
        self.max_postings = max_postings
        self.writer_options = writer_options
        self.writer = None
        self.segments = []

    def add_document(self, **fields):
        if self.writer is None:
            self.writer = BulkSegmentWriter(self.ix, _lk=False, **self.writer_options)
        self.writer.add_document(**fields)
        if self.writer.posting_count >= self.max_postings:
            self.segments.append(self.writer._finalize_segment())
            self.writer = None

    def finish(self):
        """The segments written (the last one closed here)."""
        if self.writer is not None:
            self.segments.append(self.writer._finalize_segment())
            self.writer = None
        return self.segments

    def cancel(self):
        if self.writer is not None:
            self.writer._close_segment()
            self.writer = None


def publish_segments(ix, segments):
    """Make `segments` the index's content (a new table of contents) and delete the
    files of any other segment."""
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)


def _write_postings(postfile, postings, lengths, fixed_size, compress=True):
    """Write one term's postings as W3PostingsWriter does; returns its W3TermInfo.
    Blocks are compressed only when `compress` (and long enough: COMPRESS_MIN_BYTES)."""
    if len(postings) == 1:
        return _write_one_posting(postfile, postings[0], lengths, fixed_size, compress)
    parts = [WHOOSH3_HEADER_MAGIC]
    total = len(postings)
    weight_sum, max_weight_all, min_length_all, max_length_all = 0, 0, None, 0
    for first in range(0, total, BLOCK_LIMIT):
        ids, weights, values = zip(*postings[first : first + BLOCK_LIMIT], strict=True)
        count = len(ids)
        stored_weights = array("f", weights)
        max_weight = max(0, max(weights))
        # The documents' lengths, those without one left out (Whoosh's writer skips a
        # length of None or 0); filter and map loop in C: ~1 µs a posting less.
        block_lengths = list(filter(None, map(lengths.get, ids)))
        if block_lengths:
            min_length, max_length = min(block_lengths), max(block_lengths)
            min_length_all = min_length if min_length_all is None else min(min_length_all, min_length)
            max_length_all = max(max_length_all, max_length)
        else:
            min_length, max_length = None, 0
        weight_sum += sum(stored_weights)
        max_weight_all = max(max_weight_all, max_weight)

        first_weight = stored_weights[0]
        if stored_weights.count(first_weight) != count:
            mini_weights = stored_weights  # readers index it like Whoosh's tuple
        else:
            mini_weights = None if first_weight == 1.0 else first_weight
        if fixed_size is None or fixed_size < 0:
            mini_values = tuple(filter(None, values))  # Whoosh keeps only values that are not empty
        elif fixed_size == 0:
            mini_values = None
        else:
            mini_values = b"".join(filter(None, values))
        mini_ids = tuple(map(sub, ids, (0, *ids[:-1])))
        block = _block(count, ids[-1], max_weight, min_length, max_length, (mini_ids, mini_weights, mini_values),
                       last=first + BLOCK_LIMIT >= total, compress=compress)
        parts += block

    terminfo = W3TermInfo(weight_sum, total, min_length_all, max_length_all, max_weight_all,
                          postings[0][0], postings[-1][0])
    written = b"".join(parts)
    terminfo.set_extent(postfile.tell(), len(written))
    postfile.write(written)
    return terminfo


def _write_one_posting(postfile, posting, lengths, fixed_size, compress):
    """_write_postings of a term found in one document, most terms of a segment (a name,
    a rare pair of characters), without the loop's tuples and arrays: 5.8 µs, not 15.7."""
    docnum, weight, value = posting
    stored_weight = array("f", (weight,))[0]
    length = lengths.get(docnum)
    max_weight = max(0, weight)
    if fixed_size is None or fixed_size < 0:
        mini_values = (value,) if value else ()
    elif fixed_size == 0:
        mini_values = None
    else:
        mini_values = value or b""
    mini = ((docnum,), None if stored_weight == 1.0 else stored_weight, mini_values)
    block = _block(1, docnum, max_weight, length, length or 0, mini, last=True, compress=compress)
    written = b"".join((WHOOSH3_HEADER_MAGIC, *block))
    terminfo = W3TermInfo(0 + stored_weight, 1, length, length or 0, max(0, max_weight), docnum, docnum)
    terminfo.set_extent(postfile.tell(), len(written))
    postfile.write(written)
    return terminfo


def _block(count, last_id, max_weight, min_length, max_length, mini, last, compress=True):
    """(length, header, data) of one block of postings: mini is its (ids as gaps, weights,
    values), pickled, compressed when asked and long enough; the last block's length is
    negative."""
    data = dumps(mini, BLOCK_PICKLE_PROTOCOL)
    # Whoosh compresses every block; one of a few postings only grows (zlib adds
    # its own header), and readers decompress only blocks marked compressed.
    compression = COMPRESSION if compress and len(data) >= COMPRESS_MIN_BYTES else 0
    if compression:
        compressor = zlib.compressobj(compression, zlib.DEFLATED, WINDOW_BITS, MEMORY_LEVEL)
        data = compressor.compress(data) + compressor.flush()
    info = dumps((count, last_id, max_weight, compression, length_to_byte(min_length), length_to_byte(max_length)), 2)
    block_length = len(info) + len(data)
    return (pack_int(-block_length if last else block_length), info, data)


class _PositionsTable:
    """The postings of one word or character field (_FastText) of the segment being
    written: per document (or batch of merged postings) numpy arrays of term keys,
    document numbers, frequencies, weights and positions, joined and sorted by term only
    when the segment is written (_write_positions_field). About 35 bytes a posting where
    a tuple in a per-term list took ~85, and no Python object a posting."""

    def __init__(self, field):
        # Character fields key terms by number (CharGramField.term_arrays, in the terms'
        # order); word fields number each word on first sight.
        self.keyed = isinstance(field, CharGramField)
        self.format = field.format
        self.words = {}
        self.keys, self.docnums, self.counts, self.weights, self.positions = [], [], [], [], []
        self.size = 0

    def add(self, docnums, terms, counts, positions, weights):
        """Postings of term_arrays' form: terms (keys, or words), their counts, their
        positions one term after another, each term's ascending."""
        self._append(self._keys(terms), docnums, counts, positions, weights)

    def add_terms(self, texts, sizes, docnums, weights, values):
        """Postings read from a segment: term texts and how many postings each has, then
        per posting its document, weight and encoded positions."""
        positions, counts = decode_positions(values, self.format)
        keys = self._keys(list(map(CharGramField.text_key, texts)) if self.keyed else texts)
        self._append(np.repeat(keys, sizes), docnums.astype(np.int32), counts.astype(np.int64),
                     positions.astype(np.uint32), weights.astype(np.float64))

    def _keys(self, terms):
        """Character fields' keys as they are; words numbered on first sight."""
        if self.keyed:
            return np.asarray(terms, np.uint64)
        words = self.words
        return np.fromiter([words.setdefault(word, len(words)) for word in terms], np.int64, len(terms))

    def _append(self, keys, docnums, counts, positions, weights):
        self.keys.append(keys)
        self.docnums.append(docnums)
        self.counts.append(counts)
        self.weights.append(weights)
        self.positions.append(positions)
        self.size += len(counts)

    def sorted_postings(self):
        """(term order, docnums, counts, weights, first position's index, positions, the
        text of a term key), postings ordered by term then document. Empties the table:
        each array is let go once joined, so the peak stays near twice the table."""
        keys = _joined(self.keys)
        if self.keyed:
            text_of = CharGramField.term_texts
        else:
            # Words numbered in order of first sight; ranked as Whoosh orders terms
            # (Python orders str by code point, as UTF-8 bytes are ordered).
            words = list(self.words)
            ranked = sorted(range(len(words)), key=words.__getitem__)
            rank = np.empty(len(words), np.int64)
            rank[ranked] = np.arange(len(words))
            keys = rank[keys]

            def text_of(ranks):
                return [words[ranked[r]] for r in ranks.tolist()]
        # Stable: a term's postings stay in the order they came, ascending documents.
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        counts = _joined(self.counts)
        firsts = (np.cumsum(counts) - counts)[order]
        return (keys, _joined(self.docnums)[order].astype(np.int64), counts[order], _joined(self.weights)[order],
                firsts, _joined(self.positions), text_of)


def _joined(arrays):
    """The arrays joined into one, the list emptied."""
    joined = np.concatenate(arrays)
    arrays.clear()
    return joined


# Postings a _write_positions_field step assembles at once: bounds its temporary arrays
# (~250 bytes a posting); 2,000,000 at a time was no faster and peaked 0.4 GB higher.
_ASSEMBLE_POSTINGS = 250_000
# Lengths from this one up are stored as 255 (whoosh.util.numeric.length_to_byte).
_LONGEST_LENGTH = 106374
_LENGTH_BYTES = np.asarray(_length_byte_cache, np.int64)


def _length_bytes(lengths):
    """length_to_byte of each of lengths (0 for none)."""
    return np.where(lengths >= _LONGEST_LENGTH, 255, np.searchsorted(_LENGTH_BYTES, lengths, "left"))


def _write_positions_field(postfile, tindex, prefix, table, lengths):
    """What _write_postings writes for each term of a word or character field, every
    block's pickle assembled for many terms at once in numpy (the opcodes of pickle's
    protocol 5: the ids as gaps, the weights, the values as bytes, as Whoosh's reader
    unpickles them) instead of a tuple a posting zipped, mapped and pickled.
    Blocks carrying positions are written uncompressed: position arrays barely compress
    (a common character's blocks at 100,000 speeches: 16.0 MB, 13.8 compressed), and
    inflating them was the largest single cost of a search whose postings were not
    cached (156 ms for that character). Whoosh's reader, its merges and evaluate.py read
    either."""
    keys, docnums, counts, weights, firsts, positions, text_of = table.sorted_postings()
    total = len(keys)
    length_of = np.zeros(max(max(lengths, default=0), int(docnums.max())) + 1, np.int64)
    if lengths:
        length_of[np.fromiter(lengths, np.int64, len(lengths))] = np.fromiter(lengths.values(), np.int64, len(lengths))
    term_starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    # Whole terms at a time, about _ASSEMBLE_POSTINGS postings each.
    cuts = np.unique(np.searchsorted(term_starts, np.arange(0, total, _ASSEMBLE_POSTINGS), "right") - 1)
    cuts = np.append(cuts, len(term_starts))
    for first_term, end_term in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        start = int(term_starts[first_term])
        end = int(term_starts[end_term]) if end_term < len(term_starts) else total
        _write_positions_terms(
            postfile, tindex, prefix, text_of(keys[term_starts[first_term:end_term]]),
            term_starts[first_term:end_term] - start, docnums[start:end], counts[start:end],
            weights[start:end], firsts[start:end], positions, length_of,
        )


def _write_positions_terms(postfile, tindex, prefix, texts, term_starts, docnums, counts, weights, firsts,
                           positions, length_of):
    """_write_positions_field for the postings of the terms `texts` (term_starts: where
    each term's begin in the arrays): their bytes in the postings file laid out as
    _write_postings lays them (per term Whoosh's tag, then per block its length, its
    pickled header and its pickled data), their term infos packed as W3TermInfo.to_bytes
    packs them, all in numpy; then one write of each file."""
    total = len(docnums)
    term_ends = np.append(term_starts[1:], total)
    term_sizes = term_ends - term_starts
    term_of = _owners(term_sizes, total)
    in_term = np.arange(total) - term_starts[term_of]
    # Blocks of BLOCK_LIMIT postings, a term's last one shorter.
    block_starts = np.flatnonzero(in_term % BLOCK_LIMIT == 0)
    block_sizes = np.diff(np.append(block_starts, total))
    block_of = _owners(block_sizes, total)
    in_block = np.arange(total) - block_starts[block_of]
    term_blocks = np.searchsorted(block_starts, term_starts)  # each term's first block
    first_block = np.zeros(len(block_starts), bool)
    first_block[term_blocks] = True
    last_block = np.append(first_block[1:], True)

    # The block data: a pickle of (ids, weights, values).
    # Ids as gaps, each block's first the id itself: K (1 byte), M (2) or J (4) after the opcode.
    gaps = np.diff(docnums, prepend=0)
    gaps[block_starts] = docnums[block_starts]
    id_sizes = _int_sizes(gaps)
    # Weights as stored (float32): None when all are 1, one float when all are equal,
    # else a tuple of floats (G and 8 bytes, big-endian).
    stored = weights.astype(np.float32)
    block_low = np.minimum.reduceat(stored, block_starts)
    uniform = block_low == np.maximum.reduceat(stored, block_starts)
    all_one = uniform & (block_low == 1.0)
    weight_sizes = np.where(uniform, np.where(all_one, 1, 9), 2 + 9 * block_sizes)
    # Values: the type code and the positions (2 bytes each, 4 when the last is beyond
    # 65,535), as C (a length byte) or B (4 length bytes) bytes.
    lasts = positions[firsts + counts - 1]
    wide = lasts >= 65536
    value_lengths = 1 + counts * np.where(wide, 4, 2)
    short = value_lengths < 256
    value_sizes = np.where(short, 2, 5) + value_lengths
    id_bytes = np.add.reduceat(id_sizes, block_starts)
    value_bytes = np.add.reduceat(value_sizes, block_starts)
    # PROTO 5, MARK, ids, TUPLE, weights, MARK, values, TUPLE, TUPLE3, STOP
    data_sizes = 3 + id_bytes + 1 + weight_sizes + 1 + value_bytes + 3

    # The block header: a protocol 2 pickle of (count, last id, highest weight,
    # compression 0, shortest and longest length as bytes).
    last_ids = docnums[block_starts + block_sizes - 1]
    last_id_sizes = _int_sizes(last_ids)
    high_weights = np.maximum(np.maximum.reduceat(weights, block_starts), 0.0)
    found_lengths = length_of[docnums]
    no_length = np.iinfo(np.int64).max
    some_lengths = np.where(found_lengths > 0, found_lengths, no_length)
    low_lengths = np.minimum.reduceat(some_lengths, block_starts)
    low_length_bytes = np.where(low_lengths == no_length, 0, _length_bytes(low_lengths))
    high_length_bytes = _length_bytes(np.maximum.reduceat(found_lengths, block_starts))
    # PROTO 2, MARK, K count, last id, G weight, K 0, K low, K high, TUPLE, STOP
    info_sizes = 3 + 2 + last_id_sizes + 9 + 2 + 2 + 2 + 2

    # Each term: Whoosh's 4-byte tag, then each block: its length (negative for the
    # term's last), header, data.
    spans = np.where(first_block, 4, 0) + 4 + info_sizes + data_sizes
    starts = np.cumsum(spans) - spans
    tags_at = starts[first_block]
    lengths_at = starts + np.where(first_block, 4, 0)
    info_at = lengths_at + 4
    block_offsets = info_at + info_sizes
    out = np.zeros(int(spans.sum()), np.uint8)
    for byte, value in enumerate(WHOOSH3_HEADER_MAGIC):
        np.put(out, tags_at + byte, value)
    block_lengths = (info_sizes + data_sizes) * np.where(last_block, -1, 1)
    _put_bytes(out, lengths_at, block_lengths, ">i4")
    np.put(out, info_at, 0x80)
    np.put(out, info_at + 1, 2)
    np.put(out, info_at + 2, ord("("))
    _put_opcode_and_bytes(out, info_at + 3, block_sizes, np.ones(len(block_sizes), bool), ord("K"), "<u1")
    _put_ints(out, info_at + 5, last_ids, last_id_sizes)
    at = info_at + 5 + last_id_sizes
    _put_opcode_and_bytes(out, at, high_weights, np.ones(len(at), bool), ord("G"), ">f8")
    for step, value in enumerate((ord("K"), 0, ord("K"))):
        np.put(out, at + 9 + step, value)
    np.put(out, at + 12, low_length_bytes)
    np.put(out, at + 13, ord("K"))
    np.put(out, at + 14, high_length_bytes)
    np.put(out, at + 15, ord("t"))
    np.put(out, at + 16, ord("."))

    np.put(out, block_offsets, 0x80)
    np.put(out, block_offsets + 1, 5)
    np.put(out, block_offsets + 2, ord("("))
    id_offsets = np.cumsum(id_sizes) - id_sizes
    _put_ints(out, block_offsets[block_of] + 3 + id_offsets - id_offsets[block_starts][block_of], gaps, id_sizes)
    weights_at = block_offsets + 3 + id_bytes + 1
    np.put(out, weights_at - 1, ord("t"))
    np.put(out, weights_at[all_one], ord("N"))
    _put_opcode_and_bytes(out, weights_at, block_low.astype(np.float64), uniform & ~all_one, ord("G"), ">f8")
    several = ~uniform
    np.put(out, weights_at[several], ord("("))
    np.put(out, weights_at[several] + 1 + 9 * block_sizes[several], ord("t"))
    _put_opcode_and_bytes(out, weights_at[block_of] + 1 + 9 * in_block, stored.astype(np.float64),
                          several[block_of], ord("G"), ">f8")
    values_at = weights_at + weight_sizes
    np.put(out, values_at, ord("("))
    value_offsets = np.cumsum(value_sizes) - value_sizes
    at = values_at[block_of] + 1 + value_offsets - value_offsets[block_starts][block_of]
    _put_opcode_and_bytes(out, at, value_lengths, short, ord("C"), "<u1")
    _put_opcode_and_bytes(out, at, value_lengths, ~short, ord("B"), "<u4")
    body = at + np.where(short, 2, 5)
    np.put(out, body, np.where(wide, ord("I"), ord("H")))
    # Each posting's positions after its type code, in the machine's byte order (as
    # CompactPositions.encode writes them).
    found = int(counts.sum())
    owner = _owners(counts, found)
    nth = np.arange(found) - (np.cumsum(counts) - counts)[owner]
    held = positions[firsts[owner] + nth]
    to = (body + 1)[owner]
    is_wide = wide[owner]
    for kind, dtype in ((False, np.uint16), (True, np.uint32)):
        chosen = is_wide == kind
        if chosen.any():
            width = np.dtype(dtype).itemsize
            _put_bytes(out, to[chosen] + width * nth[chosen], held[chosen], dtype)
    ends = values_at + 1 + value_bytes
    np.put(out, ends, ord("t"))
    np.put(out, ends + 1, 0x87)  # TUPLE3
    np.put(out, ends + 2, ord("."))

    # Term infos (W3TermInfo.to_bytes): not inlined, the stored weights' sum, document
    # frequency, shortest and longest length as bytes, highest weight, first and last
    # id, then the postings' offset and length.
    infos = np.zeros(len(term_starts), TERM_INFO)
    infos["weight"] = np.add.reduceat(stored.astype(np.float64), term_starts)
    infos["frequency"] = term_sizes
    term_low = np.minimum.reduceat(some_lengths, term_starts)
    infos["low_length"] = np.where(term_low == no_length, 0, _length_bytes(term_low))
    infos["high_length"] = _length_bytes(np.maximum.reduceat(found_lengths, term_starts))
    infos["high_weight"] = np.maximum.reduceat(high_weights, term_blocks)
    infos["first_id"] = docnums[term_starts]
    infos["last_id"] = docnums[term_ends - 1]
    base = postfile.tell()
    infos["offset"] = base + tags_at
    infos["length"] = np.add.reduceat(spans, term_blocks)
    postfile.write(out.tobytes())
    _add_terms(tindex, [prefix + text.encode("utf-8") for text in texts], infos.tobytes(), TERM_INFO.itemsize)


_KEY_VALUE_LENGTHS = Struct("!ii")


def _add_terms(tindex, keys, values, size):
    """OrderedHashWriter.add of each key (ascending) with its value (values: one bytes
    object, `size` bytes a value) in one write: the records, their positions in the
    ordered index, their hashes in the buckets, as add() leaves them."""
    dbfile = tindex.dbfile
    if keys[0] <= tindex.lastkey:
        raise ValueError(f"keys must increase: {tindex.lastkey!r}..{keys[0]!r}")
    position = dbfile.tell()
    records, buckets, index = [], tindex.buckets, tindex.index
    md5 = tindex.hashtype == 0
    hashfn = tindex.hashfn
    pack = _KEY_VALUE_LENGTHS.pack
    for number, key in enumerate(keys):
        value = values[number * size : (number + 1) * size]
        records += (pack(len(key), size), key, value)
        index.append(position)
        # md5_hash: the digest's last 4 bytes, without the hex string
        digest = int.from_bytes(md5_digest(key).digest()[12:], "big") if md5 else hashfn(key)
        buckets[digest & 255].append((digest, position))
        position += 8 + len(key) + size
    dbfile.write(b"".join(records))
    tindex.lastkey = keys[-1]


def _owners(sizes, total):
    """For each of `total` places, the number of the run it is in, runs of `sizes`
    (each at least 1) one after another: np.repeat(np.arange(len(sizes)), sizes), which
    is slow for many short runs."""
    marks = np.zeros(total, np.int64)
    marks[(np.cumsum(sizes) - sizes)[1:]] = 1
    return np.cumsum(marks)


def _int_sizes(numbers):
    """Bytes pickle takes for each of these ints (0 <= n < 2**31): K, M or J and 1, 2 or 4."""
    return np.where(numbers < 256, 2, np.where(numbers < 65536, 3, 5))


def _put_ints(out, at, numbers, sizes):
    """Pickle's K, M or J opcode (sizes: _int_sizes) and each number's bytes at out[at]."""
    _put_opcode_and_bytes(out, at, numbers, sizes == 2, ord("K"), "<u1")
    _put_opcode_and_bytes(out, at, numbers, sizes == 3, ord("M"), "<u2")
    _put_opcode_and_bytes(out, at, numbers, sizes == 5, ord("J"), "<i4")


def _put_bytes(out, at, values, dtype):
    """Each value's bytes (as dtype) at out[at]."""
    raw = np.asarray(values).astype(dtype).view(np.uint8).reshape(len(at), -1)
    for byte in range(raw.shape[1]):
        np.put(out, at + byte, raw[:, byte])


def _put_opcode_and_bytes(out, at, values, chosen, opcode, dtype):
    """The opcode at out[at] and the bytes of the value (as dtype) after it, where chosen."""
    if not chosen.any():
        return
    where = at[chosen]
    np.put(out, where, opcode)
    _put_bytes(out, where + 1, values[chosen], dtype)

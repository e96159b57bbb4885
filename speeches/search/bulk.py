"""Writing whole segments, postings held in memory per term (rebuilds and updates).

Whoosh's SegmentWriter pushes every posting through its pool (a tuple, a sort,
runs spilled with marshal), then through the codec one call at a time, reading
the document's field length back from disk for each (W3FieldWriter.add_postings):
about 25 µs a posting in Python, ~3,400 postings a speech. Here a posting is one
tuple appended to its term's list while documents are added; when the segment is
written, each term's list is cut into blocks of 128 and every block is encoded as
a whole (ids, weights and values taken apart with zip, pickled, and compressed
unless it carries positions: _write_segment).
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
from operator import sub
from pickle import dumps

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from speeches.search.schema import CompactPositions, _FastText

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
# Postings a writer holds in memory (~85 bytes each: 2.5 GB): a rebuild's writer writes a
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


class _Cache(dict):
    """A dict that computes a missing value once (hits are a C-level lookup)."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


class BulkSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with the postings of its new segment kept per term in
    memory and written a block at a time: used for rebuilds and for queued updates
    (deletions work as in Whoosh's; small segments are merged as merge_small_segments
    says). It supports the fields this index uses: no spelling words, no term vectors.
    max_postings bounds the postings a merge brings into memory (~85 bytes each)."""

    def __init__(self, ix, max_postings=MAX_POSTINGS_HELD, **kwargs):
        super().__init__(ix, **kwargs)
        self.max_postings = max_postings
        for name, field in self.schema.items():
            if field.separate_spelling() or field.vector:
                raise ValueError(f"field {name!r}: spelling words and vectors are not written in bulk")
        # {field name: {term: [(docnum, weight, value bytes), …]}}, docnums ascending; a
        # term is a str in _FastText fields (encoded when written), bytes in the others
        self.postings = {}
        # {field name: {docnum: length as the index stores it (one byte, decoded)}}
        self.lengths = {}
        self.posting_count = 0
        # {(field boost, document boost): {frequency: weight}}
        self._weights = {}

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
        return super()._merge_segments(mergetype, optimize, merge)

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
                terms = self.postings.get(fieldname)
                if terms is None:
                    terms = self.postings[fieldname] = defaultdict(list)
                if isinstance(field, _FastText) and isinstance(value, str):
                    length = self._add_positions(terms, docnum, field, value, fieldboost)
                else:
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

    def _add_positions(self, terms, docnum, field, value, fieldboost):
        """_FastText.index without a generator, the term left a str until the segment
        is written (encoded once, not once a posting), weights taken from a cache:
        returns the field's length."""
        format_ = field.format
        weights = self._weights.get((format_.field_boost, fieldboost))
        if weights is None:
            boost = format_.field_boost * fieldboost
            weights = self._weights[format_.field_boost, fieldboost] = _Cache(lambda freq: float(freq) * boost)
        postings = field.postings(value)
        length = 0
        for term, freq, encoded in postings:
            terms[term].append((docnum, weights[freq], encoded))
            length += freq
        self.posting_count += len(postings)
        return length

    def add_postings_to_pool(self, reader, startdoc, docmap):
        """Postings of a segment merged into this one (Whoosh's merge policy calls this
        after the segment's stored fields were copied), into the table in memory: their
        document numbers come after every document added here, so lists stay ascending."""
        schema = self.schema
        for fieldname, text, docnum, weight, vbytes in self._process_posts(reader.iter_postings(), startdoc, docmap):
            terms = self.postings.get(fieldname)
            if terms is None:
                terms = self.postings[fieldname] = defaultdict(list)
            key = text.decode("utf-8") if isinstance(schema[fieldname], _FastText) else text
            terms[key].append((docnum, weight, vbytes))
            self.posting_count += 1
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
        for fieldname in sorted(name for name, terms in self.postings.items() if terms):
            field = self.schema[fieldname]
            fieldwriter.start_field(fieldname, field)
            prefix = pack_ushort(fieldwriter._fieldid)
            terms = self.postings[fieldname]
            lengths = self.lengths.get(fieldname, {})
            fixed_size = field.format.fixed_value_size()
            # Blocks carrying positions (the word and character fields) are written
            # uncompressed: position arrays barely compress (a common character's blocks
            # at 100,000 speeches: 16.0 MB, 13.8 compressed), and inflating them was the
            # largest single cost of a search whose postings were not cached (156 ms for that
            # character). Whoosh's reader, its merges and evaluate.py read either.
            compress = not isinstance(field.format, CompactPositions)
            add_term = fieldwriter._tindex.add
            # A _FastText field's terms are str: UTF-8 keeps the order of code points.
            for term in sorted(terms):
                terminfo = _write_postings(postfile, terms[term], lengths, fixed_size, compress)
                add_term(prefix + (term.encode("utf-8") if isinstance(term, str) else term), terminfo.to_bytes())
            fieldwriter.finish_field()
        fieldwriter.close()
        self.postings.clear()
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
    rebuild's segments, written up to that bound, stay as they are."""
    sizes = {segment: _postings_bound(segment) for segment in segments}
    smallest = sorted(segments, key=sizes.get)[:MERGE_FAN_IN]
    if (
        len(smallest) < MERGE_FAN_IN
        or sizes[smallest[-1]] > MERGE_FAN_IN * max(1, sizes[smallest[0]])
        or sum(sizes[segment] for segment in smallest) > writer.max_postings
    ):
        return list(segments)
    for segment in smallest:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in smallest]


def _postings_bound(segment):
    """At most how many postings a segment holds: its fields' lengths summed (a posting
    is a term in a document, found there once or more), its documents for the others."""
    lengths = getattr(segment, "_fieldlengths", None) or {}
    return sum(lengths.values()) + segment.doc_count_all()


class SegmentSeries:
    """Documents written as segments of at most `max_postings` postings each, so a
    writer's memory stays bounded (~85 bytes a posting) whatever the archive's size."""

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

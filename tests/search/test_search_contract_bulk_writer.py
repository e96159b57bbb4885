"""A rebuild writes its segments in bulk (speeches/search/bulk.py) instead of through
Whoosh's posting pool; what it writes must read back exactly as Whoosh's own writer
writes it: the same terms and statistics, the same postings block by block, the same
stored fields, lengths and columns."""

import pickle
import random
import struct
from io import BytesIO

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.filedb.structfile import StructFile
from whoosh.writing import SegmentWriter

from speeches.search import bulk
from speeches.search.bulk import (
    BLOCK_LIMIT,
    MERGE_FAN_IN,
    BulkSegmentWriter,
    SegmentSeries,
    publish_segments,
)
from speeches.search.evaluate import read_postings
from speeches.search.schema import build_schema

pytestmark = pytest.mark.django_db  # the word fields read the archive's dictionary

WORDS = ["防汛", "抗旱", "水利", "工程", "河道", "清淤", "堤防", "加固", "水库", "调度", "农田", "灌溉",
         "群众", "安全", "度汛", "预案", "演练", "巡查", "值守", "物资"]
REGIONS = ["000000 110000", "000000 110000 110100", "000000 320000", "000000 320000 320500"]


def documents(count, seed=7):
    """Speeches of the words above: common ones in most documents (terms of several
    blocks), repeated words (frequencies above one), some fields left empty."""
    rng = random.Random(seed)
    docs = []
    for number in range(count):
        body = "。".join("".join(rng.choices(WORDS[: 4 + number % 16], k=rng.randint(2, 9)))
                        for _ in range(rng.randint(1, 12)))
        doc = {
            "id": str(number),
            "signature": f"sig{number}",
            "title_words": f"{rng.choice(WORDS)}工作会议讲话",
            "title_chars": f"{rng.choice(WORDS)}工作会议讲话",
            "headings_words": "\n".join(rng.sample(WORDS, number % 3)),
            "body_words": body,
            "body_chars": body,
            "region": rng.choice(REGIONS),
            "topic": "water" if number % 2 else "",
            "official": "",
            "kind": "speech",
            "status": "published",
            "newest_key": 20000101 + number,
            "oldest_key": 99991231 - number,
        }
        if number % 5:
            doc["year"] = str(2000 + number % 20)
        docs.append(doc)
    return docs


def written_with(writer_class, path, docs):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    writer = writer_class(ix, compound=False)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return whoosh_index.open_dir(str(path))


def contents(ix):
    """Everything a reader sees of one segment."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        terms = {}
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value(), matcher.block_max_weight(),
                                 matcher.block_min_length(), matcher.block_max_length()))
                matcher.next()
            terms[fieldname, text] = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                      info.max_weight(), info.min_id(), info.max_id(), postings)
        lengths = {
            (name, docnum): reader.doc_field_length(docnum, name)
            for docnum in range(reader.doc_count_all())
            for name in ("title_words", "headings_words", "body_words", "title_chars", "body_chars")
        }
        return {
            "terms": terms,
            "stored": list(reader.all_stored_fields()),
            "lengths": lengths,
            "totals": {name: reader.field_length(name) for name in ix.schema.names()},
            "columns": {name: list(reader.column_reader(name)) for name in ("newest_key", "oldest_key")},
        }


def test_bulk_segment_reads_back_as_whooshs_own_writer_writes_it(tmp_path):
    docs = documents(400)

    by_whoosh = contents(written_with(SegmentWriter, tmp_path / "whoosh", docs))
    in_bulk = contents(written_with(BulkSegmentWriter, tmp_path / "bulk", docs))

    assert in_bulk == by_whoosh
    # The comparison covered terms of several blocks and repeated words.
    postings = [entry[7] for entry in by_whoosh["terms"].values()]
    assert max(len(p) for p in postings) > 2 * BLOCK_LIMIT
    assert any(weight > 1 for p in postings for _id, weight, *_rest in p)


def test_terms_of_one_document_read_back_as_whooshs_own_writer_writes_them(tmp_path):
    """Most of a segment's terms are in one document (a name, a rare pair of characters):
    written by their own short path, once or several times in it, in every field."""
    docs = documents(60, seed=3)
    for number, doc in enumerate(docs):
        rare = chr(0x5000 + number) + chr(0x5200 + number)  # two characters no other speech has
        doc["body_words"] = doc["body_chars"] = doc["body_chars"] + "。" + "，".join([rare] * (number % 4 + 1))
        doc["title_chars"] = doc["title_words"] = doc["title_chars"] + rare

    by_whoosh = contents(written_with(SegmentWriter, tmp_path / "whoosh", docs))
    in_bulk = contents(written_with(BulkSegmentWriter, tmp_path / "bulk", docs))

    assert in_bulk == by_whoosh
    single = [entry[7] for entry in by_whoosh["terms"].values() if len(entry[7]) == 1]
    assert len(single) > 2 * len(docs)
    assert any(weight > 1 for ((_id, weight, *_rest),) in single)


def test_a_series_of_segments_holds_the_same_postings_as_one_segment(tmp_path):
    docs = documents(300)
    one = written_with(SegmentWriter, tmp_path / "one", docs)
    (tmp_path / "series").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "series"), build_schema())
    series = SegmentSeries(ix, max_postings=5_000, compound=False)
    for doc in docs:
        series.add_document(**doc)
    publish_segments(ix, series.finish())
    several = whoosh_index.open_dir(str(tmp_path / "series"))

    with one.searcher() as expected, several.searcher() as found:
        assert len(list(found.reader().leaf_readers())) > 3
        assert found.doc_count_all() == expected.doc_count_all() == len(docs)
        for fieldname, text in expected.reader().all_terms():
            ours = read_postings(found.reader(), fieldname, text, positions=True)
            theirs = read_postings(expected.reader(), fieldname, text, positions=True)
            assert (ours.ids, ours.weights, ours.values) == (theirs.ids, theirs.weights, theirs.values)
        assert [f["id"] for f in found.all_stored_fields()] == [f["id"] for f in expected.all_stored_fields()]


def updated_with(writer_class, path, docs):
    """Three commits: a first batch; a second with deletions from the first (each
    writer's own merge policy decides on the small segment); a third that merges everything."""
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    for batch, deleted, optimize in ((docs[:120], [], False), (docs[120:240], range(0, 120, 7), False),
                                     (docs[240:], [3, 150], True)):
        writer = writer_class(ix, compound=False)
        for docnum in deleted:
            writer.delete_document(docnum)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(optimize=optimize)
    return whoosh_index.open_dir(str(path))


def test_updates_deletions_and_merges_written_in_bulk_read_back_as_whooshs(tmp_path):
    docs = documents(300, seed=11)

    by_whoosh = updated_with(SegmentWriter, tmp_path / "whoosh", docs)
    in_bulk = updated_with(BulkSegmentWriter, tmp_path / "bulk", docs)

    assert len(list(in_bulk.reader().leaf_readers())) == 1  # everything merged
    assert in_bulk.doc_count() == by_whoosh.doc_count() == 300 - len(range(0, 120, 7)) - 2
    assert contents(in_bulk) == contents(by_whoosh)


def test_a_bulk_merge_of_segments_whooshs_writer_wrote_reads_back_as_whooshs_own_merge(tmp_path):
    """A merge reads each segment a field at a time: also segments of Whoosh's writer,
    which keeps a term found in one document inside its entry, and it leaves out the terms
    whose every document was deleted."""
    docs = documents(200, seed=5)
    for number, doc in enumerate(docs):
        rare = chr(0x5000 + number) + chr(0x5200 + number)  # a pair only this speech has
        doc["body_words"] = doc["body_chars"] = doc["body_chars"] + "。" + rare
    merged = {}
    for writer_class in (SegmentWriter, BulkSegmentWriter):
        path = tmp_path / writer_class.__name__
        path.mkdir()
        ix = whoosh_index.create_in(str(path), build_schema())
        for batch in (docs[:100], docs[100:]):
            writer = SegmentWriter(ix, compound=False)
            for doc in batch:
                writer.add_document(**doc)
            writer.commit(merge=False)
        writer = writer_class(ix, compound=False)
        for docnum in (0, 7, 150):
            writer.delete_document(docnum)
        writer.commit(optimize=True)
        merged[writer_class] = contents(whoosh_index.open_dir(str(path)))

    assert merged[BulkSegmentWriter] == merged[SegmentWriter]
    assert ("body_chars", (chr(0x5000) + chr(0x5200)).encode("utf-8")) not in merged[SegmentWriter]["terms"]
    assert ("body_chars", (chr(0x5001) + chr(0x5201)).encode("utf-8")) in merged[SegmentWriter]["terms"]


def test_blocks_of_positions_are_written_uncompressed_and_the_others_compressed(tmp_path):
    """Position arrays barely compress and inflating them slowed every uncached search:
    the word and character fields' blocks are stored as they are; the others are
    compressed as Whoosh compresses them, and both read back as Whoosh's (above)."""
    ix = written_with(BulkSegmentWriter, tmp_path / "bulk", documents(400))
    compression = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                if matcher._blocklength == BLOCK_LIMIT:  # shorter blocks may be too short to compress
                    compression.setdefault(fieldname, set()).add(matcher._compression)
                matcher._next_block()

    for fieldname in ("title_words", "body_words", "title_chars", "body_chars"):
        assert compression[fieldname] == {0}, fieldname
    for fieldname in ("region", "kind", "status"):
        assert 0 not in compression[fieldname], fieldname


@pytest.mark.parametrize("writer_class", [SegmentWriter, BulkSegmentWriter])
def test_postings_decoded_a_block_at_a_time_are_what_whooshs_matchers_read(tmp_path, writer_class):
    """evaluate.py takes a term's blocks apart itself: compressed or not, weights of one
    value or several, deleted documents left out, every field's postings as Whoosh reads them."""
    docs = documents(300, seed=5)
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    for batch, deleted in ((docs[:200], []), (docs[200:], range(0, 200, 9))):
        writer = writer_class(ix, compound=False)
        for docnum in deleted:
            writer.delete_document(docnum)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(merge=False)  # two segments, the first with deletions
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert reader.has_deletions()
        checked = 0
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            expected = ([], [], [])
            while matcher.is_active():
                for part, value in zip(expected, (matcher.id(), matcher.weight(), matcher.value()), strict=True):
                    part.append(value)
                matcher.next()
            found = read_postings(reader, fieldname, text, positions=True)
            assert (found.ids, found.weights, found.values) == expected, (fieldname, text)
            checked += len(found.ids) > BLOCK_LIMIT
        assert checked > 20


def in_segments(path, batches):
    """An index of one segment a batch of documents, none merged."""
    ix = whoosh_index.create_in(str(path), build_schema())
    for batch in batches:
        writer = BulkSegmentWriter(ix, compound=False)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(merge=False)
    return ix


def test_an_update_merges_small_segments_of_a_size_into_its_own(tmp_path):
    docs = documents(MERGE_FAN_IN + 1, seed=13)
    ix = in_segments(tmp_path, [[doc] for doc in docs[:MERGE_FAN_IN]])
    before = {segment.segment_id() for segment in ix._segments()}

    writer = BulkSegmentWriter(ix, compound=False)
    writer.add_document(**docs[-1])
    writer.commit()

    after = whoosh_index.open_dir(str(tmp_path))._segments()
    assert not before & {segment.segment_id() for segment in after}
    assert len(after) == 1  # the small ones merged into the update's segment
    assert sum(segment.doc_count_all() for segment in after) == len(docs)


def test_an_update_never_merges_more_postings_than_the_writer_may_hold(tmp_path):
    """Whoosh's MERGE_SMALL merged a whole index of 100,000 speeches into this writer's
    memory (22 GB) once it had ~20 segments: segments too large to merge together
    within the writer's bound stay as they are, however many there are."""
    docs = documents(MERGE_FAN_IN * 20 + 1, seed=17)
    ix = in_segments(tmp_path, [docs[i * 20 : (i + 1) * 20] for i in range(MERGE_FAN_IN)])
    segments = ix._segments()
    sizes = [bulk._postings_bound(segment) for segment in segments]
    largest = max(sizes)
    assert largest <= MERGE_FAN_IN * min(sizes)  # of a size: only the bound keeps them apart

    writer = BulkSegmentWriter(ix, max_postings=2 * largest, compound=False)  # room for two, not eight
    writer.add_document(**docs[-1])
    writer.commit()

    after = whoosh_index.open_dir(str(tmp_path))._segments()
    assert {segment.segment_id() for segment in segments} <= {segment.segment_id() for segment in after}
    assert len(after) == MERGE_FAN_IN + 1


def _blocks(raw):
    """[(block header, ids, weights, values)] of one term's bytes in a postings file."""
    assert raw[:4] == WHOOSH3_HEADER_MAGIC
    stream, position, found, last = BytesIO(raw), 4, [], False
    while not last:
        stream.seek(position)
        (length,) = struct.unpack("!i", stream.read(4))
        last = length < 0
        header = pickle.load(stream)
        position += 4 + abs(length)
        ids, weights, values = pickle.loads(raw[stream.tell() : position])
        found.append((header, ids, weights if weights is None or isinstance(weights, float) else list(weights), values))
    assert position == len(raw)
    return found


def _terms_written(tindex):
    """{key: value} of the records an OrderedHashWriter was given, each found by its hash."""
    raw = tindex.dbfile.file.getvalue()
    found = {}
    for position in tindex.index:
        key_length, value_length = struct.unpack_from("!ii", raw, position)
        key = raw[position + 8 : position + 8 + key_length]
        found[key] = raw[position + 8 + key_length : position + 8 + key_length + value_length]
        digest = md5_hash(key)
        assert (digest, position) in tindex.buckets[digest & 255]
    return found


@pytest.mark.parametrize("fieldname", ["body_chars", "body_words"])
def test_positions_fields_are_written_as_the_general_path_writes_them_at_the_extremes(fieldname):
    """Postings the documents above do not reach: document numbers far apart (gaps of 2
    and 4 bytes), blocks whose weights are all 1, all equal or all different, a posting
    of 300 positions (a value over 255 bytes), positions beyond 65,535 (4 bytes each),
    terms of several blocks and of one posting, documents without a length. Each term's
    blocks and statistics are what the general path (_write_postings) writes for them."""
    field = build_schema()[fieldname]
    rng = random.Random(11)
    table = bulk._PositionsTable(field)
    terms = ["中", "中国", "国", "人民", "z"] if fieldname == "body_chars" else ["发展", "改革", "a", "人民", "中国"]
    expected = {term: [] for term in terms}
    docnums = [0, 1, 2, 300, 301, 70_000, 70_001, 140_000, *range(200_000, 200_400), 2**30]
    lengths = {}
    for number, docnum in enumerate(docnums):
        present = [term for term in terms if term != terms[-1] or number == 3]  # the last: one posting
        counts = [1 if number < 100 else rng.choice([1, 1, 2, 5]) for _ in present]
        if number == 5:
            counts[0] = 300
        found = []
        for count in counts:
            start = 70_000 if number == 6 else rng.randrange(0, 1000)
            found.append(sorted(rng.sample(range(start, start + 4 * count), count)))
        boost = 1.0 if number < 150 else (2.0 if number < 300 else 1.5)
        keys = np.array([field.text_key(term) for term in present], np.uint64) if fieldname == "body_chars" else present
        table.add(np.full(len(present), docnum, np.int32), keys, np.array(counts, np.int64),
                  np.array([p for positions in found for p in positions], np.uint32),
                  np.array(counts, np.float64) * boost)
        for term, count, positions in zip(present, counts, found, strict=True):
            expected[term].append((docnum, count * boost, field.format.encode(positions)))
        if number % 7:
            lengths[docnum] = sum(counts)
    postfile = BytesIO()
    tindex = OrderedHashWriter(StructFile(BytesIO()))
    bulk._write_positions_field(postfile, tindex, b"\x00\x07", table, lengths)
    written = _terms_written(tindex)

    assert sorted(written) == sorted(b"\x00\x07" + term.encode("utf-8") for term in terms)
    for term in terms:
        info = W3TermInfo.from_bytes(written[b"\x00\x07" + term.encode("utf-8")])
        reference = BytesIO()
        reference_info = bulk._write_postings(reference, expected[term], lengths, None, compress=False)
        reference_info = W3TermInfo.from_bytes(reference_info.to_bytes())
        offset, length = info.extent()
        length = length[0] if isinstance(length, tuple) else length
        assert _blocks(postfile.getvalue()[offset : offset + length]) == _blocks(reference.getvalue())
        assert ((info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
                 info.min_id(), info.max_id())
                == (reference_info.weight(), reference_info.doc_frequency(), reference_info.min_length(),
                    reference_info.max_length(), reference_info.max_weight(), reference_info.min_id(),
                    reference_info.max_id()))
    # The extremes were reached.
    values = [value for postings in expected.values() for _docnum, _weight, value in postings]
    assert any(len(value) > 255 for value in values) and any(value[:1] == b"I" for value in values)
    assert len(expected[terms[0]]) > 2 * BLOCK_LIMIT and len(expected[terms[-1]]) == 1

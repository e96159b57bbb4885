"""The search evaluates postings in numpy arrays (speeches/search/evaluate.py,
columns.py); each array path must give what a plain walk of Whoosh's own matchers and
a per-document loop give: the same postings and positions, the same occurrences,
the same BM25F scores to the last bit, the same order of equal scores, the same facet
counts and date orders — on indexes of several segments, with deletions, with
one-document segments (postings inlined in the term's entry), and empty."""

import random
from heapq import nlargest
from math import log

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.formats import Positions
from whoosh.writing import SegmentWriter

from speeches.search import columns, evaluate
from speeches.search.evaluate import (
    CHAR_FIELDS,
    K1,
    B,
    Evaluator,
    decode_positions,
    term_arrays,
    top,
)
from speeches.search.query import parse
from speeches.search.schema import CompactPositions, build_schema

pytestmark = pytest.mark.django_db  # the word fields read the archive's dictionary

WORDS = ["防汛", "抗旱", "水利", "工程", "谢谢谢谢", "人民群众", "改革", "开放", "经济", "发展", "的", "国",
         "中华人民共和国", "社会主义市场经济"]
REGIONS = ["000000 110000", "000000 110000 110100", "000000 320000"]
NEEDLES = ["的", "国", "经济", "民共", "谢谢谢", "谢谢", "人民群众", "社会主义市场经济", "改革开放", "水利工程",
           "不存在", "抗旱防"]


def speech(number, rng):
    body = "。".join("".join(rng.choices(WORDS, k=rng.randint(1, 8))) for _ in range(rng.randint(1, 10)))
    title = "".join(rng.choices(WORDS, k=rng.randint(1, 3))) + "讲话"
    return {
        "id": str(number),
        "signature": f"sig{number}",
        "title_words": title,
        "title_chars": title,
        "headings_words": "",
        "body_words": body,
        "body_chars": body,
        "region": rng.choice(REGIONS),
        "topic": rng.choice(["water", "economy", ""]),
        "official": str(rng.randint(1, 4)),
        "year": str(rng.choice([1998, 2005, 2010, 2019])),
        "kind": "speech",
        "status": rng.choice(["published", "published", "published", "draft"]),
        "newest_key": rng.randint(1, 30),  # repeated keys: order among equals by document number
        "oldest_key": rng.randint(1, 30),
    }


def index_of(path, batches, deleted=()):
    """An index of one segment per batch (no merging), then the ids in deleted removed."""
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    rng, number = random.Random(5), 0
    for size in batches:
        writer = SegmentWriter(ix)
        for _ in range(size):
            writer.add_document(**speech(number, rng))
            number += 1
        writer.commit(merge=False)
    if deleted:
        writer = SegmentWriter(ix)
        for speech_id in deleted:
            writer.delete_by_term("id", str(speech_id))
        writer.commit(merge=False)
    return whoosh_index.open_dir(str(path))


@pytest.fixture(params=["segments_with_deletions", "one_segment", "one_document_segments", "empty"])
def searcher(request, tmp_path):
    batches, deleted = {
        "segments_with_deletions": ([60, 1, 45, 1, 200], [0, 3, 60, 61, 100, 250]),
        "one_segment": ([150], []),
        "one_document_segments": ([1, 1, 1], [1]),
        "empty": ([], []),
    }[request.param]
    with index_of(tmp_path / "index", batches, deleted).searcher() as found:
        yield found


def walked(reader, fieldname, term):
    """{docnum: (weight, positions)} by Whoosh's matcher, one posting at a time."""
    if (fieldname, term) not in reader:
        return {}
    matcher = reader.postings(fieldname, term)
    format_ = reader.schema[fieldname].format
    found = {}
    while matcher.is_active():
        positions = format_.decode_positions(matcher.value()) if isinstance(format_, Positions) else None
        found[matcher.id()] = (matcher.weight(), positions)
        matcher.next()
    return found


def counted(reader, fieldname, needle):
    """{docnum: occurrences × field boost}: a needle's postings, or its pairs' positions
    checked document by document."""
    boost = reader.schema[fieldname].format.field_boost
    if len(needle) <= 2:
        return {docnum: weight for docnum, (weight, _positions) in walked(reader, fieldname, needle).items()}
    pairs = [walked(reader, fieldname, needle[i : i + 2]) for i in range(len(needle) - 1)]
    found = {}
    for docnum in set.intersection(*(set(pair) for pair in pairs)):
        starts = set(pairs[0][docnum][1])
        for i, pair in enumerate(pairs[1:], start=1):
            starts &= {p - i for p in pair[docnum][1]}
        if starts:
            found[docnum] = len(starts) * boost
    return found


def test_term_arrays_hold_the_postings_whooshs_matchers_walk(searcher):
    reader = searcher.reader()
    terms = [(f, t) for f, t in reader.all_terms() if f in ("body_chars", "title_chars", "body_words", "region")]
    assert terms or not reader.doc_count_all()
    for fieldname, term in terms:
        expected = walked(reader, fieldname, term)
        found = term_arrays(reader, fieldname, term, positions=fieldname.endswith("chars"))
        assert found.ids.tolist() == list(expected)
        assert found.weights.tolist() == [weight for weight, _positions in expected.values()]
        if fieldname.endswith("chars"):
            assert found.counts.tolist() == [len(positions) for _weight, positions in expected.values()]
            assert found.positions.tolist() == [p for _weight, positions in expected.values() for p in positions]


def test_positions_of_some_documents_are_those_of_every_posting_kept(searcher):
    """A phrase check reads positions for the documents still possible: a few, most,
    a few again, each time from the postings decoded once and kept."""
    reader = searcher.reader()
    rng = random.Random(2)
    for term in ("经济", "谢谢", "人民", "国"):
        expected = walked(reader, "body_chars", term)
        evaluate._cache.clear()
        for share in (0.1, 0.9, 0.1):
            only = np.array([rng.random() < share for _ in range(reader.doc_count_all())], bool)
            found = term_arrays(reader, "body_chars", term, positions=True, only=only)
            kept = [docnum for docnum in expected if only[docnum]]
            assert found.ids.tolist() == kept
            assert found.counts.tolist() == [len(expected[docnum][1]) for docnum in kept]
            assert found.positions.tolist() == [p for docnum in kept for p in expected[docnum][1]]


def test_the_cache_keeps_postings_in_narrow_types_and_hands_out_wide_ones(searcher):
    """The cache holds four bytes a posting and two a position, so that a day's common
    terms fit its budget; what it hands out is as before: 64-bit document numbers
    (a phrase check shifts them left by 32) and weights as Whoosh's matcher gives them."""
    reader = searcher.reader()
    evaluate._cache.clear()
    found = term_arrays(reader, "body_chars", "经济", positions=True)
    assert found.ids.dtype == np.int64 and found.weights.dtype == np.float64
    kept = [decoded for decoded, _size in evaluate._cache._entries.values()]
    assert kept or not reader.doc_count_all()
    for decoded in kept:
        assert (decoded.ids.dtype, decoded.weights.dtype, decoded.counts.dtype) == (np.int32, np.float32, np.int32)
        assert decoded.positions.dtype == np.uint16
        assert decoded.values is None
    assert found.ids.tolist() == list(walked(reader, "body_chars", "经济"))


def test_a_term_read_with_positions_is_not_decoded_again_for_its_documents(searcher):
    reader = searcher.reader()
    evaluate._cache.clear()
    with_positions = term_arrays(reader, "body_chars", "人民", positions=True)
    entries = len(evaluate._cache._entries)
    without = term_arrays(reader, "body_chars", "人民")
    assert len(evaluate._cache._entries) == entries  # served by the entries with positions
    assert without.ids.tolist() == with_positions.ids.tolist()
    assert without.weights.tolist() == with_positions.weights.tolist()


def test_a_term_absent_from_the_index_has_no_postings(searcher):
    found = term_arrays(searcher.reader(), "body_chars", "无此", positions=True)
    assert len(found.ids) == len(found.weights) == len(found.positions) == len(found.counts) == 0


@pytest.mark.parametrize("lists", [
    [[0], [1, 2, 3], list(range(0, 3000, 3)), [7]],  # every position below 65,536: 2 bytes each
    [[70000], [5, 70001, 2**31 - 10]],  # 4 bytes each
    [[0], [5, 70000, 70001], list(range(0, 3000, 3)), [65535], [65536, 65537], [7]],  # both kinds
])
def test_compact_positions_read_as_one_array_equal_those_decoded_one_by_one(lists):
    format_ = CompactPositions()
    values = [format_.encode(found) for found in lists]
    positions, counts = decode_positions(values, format_)
    assert counts.tolist() == [len(found) for found in lists]
    assert positions.tolist() == [p for value in values for p in format_.decode_positions(value)]


def test_positions_of_another_format_are_decoded_one_by_one():
    format_ = Positions()  # Whoosh's own: a count and a pickled list of gaps
    lists = [[1, 5], [3, 4, 90000]]
    positions, counts = decode_positions([format_.encode(found) for found in lists], format_)
    assert (positions.tolist(), counts.tolist()) == ([1, 5, 3, 4, 90000], [2, 3])


def test_occurrences_equal_a_check_of_positions_document_by_document(searcher):
    reader = searcher.reader()
    evaluator = Evaluator(searcher, columns.for_reader(reader))
    for needle in NEEDLES:
        found = evaluator.occurrences(needle)
        held = set()
        for fieldname in CHAR_FIELDS:
            expected = counted(reader, fieldname, needle)
            ids, weights = found.weights[fieldname]
            assert dict(zip(ids.tolist(), weights.tolist(), strict=True)) == expected, (needle, fieldname)
            held |= set(expected)
        assert found.docs.tolist() == sorted(held)
        assert np.flatnonzero(evaluator.holders(needle)).tolist() == sorted(held)


def test_repeated_characters_count_every_overlapping_start(tmp_path):
    ix = index_of(tmp_path / "index", [3])
    with ix.searcher() as searcher:
        reader = searcher.reader()
        evaluator = Evaluator(searcher, columns.for_reader(reader))
        ids, weights = evaluator.occurrences("谢谢谢").weights["body_chars"]
        expected = counted(reader, "body_chars", "谢谢谢")
        assert dict(zip(ids.tolist(), weights.tolist(), strict=True)) == expected
        assert any(weight >= 2 for weight in expected.values())  # 谢谢谢谢 holds it twice


def reference_match(reader, parsed):
    def holding(needle):
        return set().union(*(counted(reader, fieldname, needle) for fieldname in CHAR_FIELDS))

    result = None
    for clause in parsed.clauses:
        found = set().union(*(holding(lit.needle) for lit in clause))
        result = found if result is None else result & found
    result = result or set()
    for lit in parsed.excluded:
        result -= holding(lit.needle)
    return result


@pytest.mark.parametrize("q", ["经济", "国 -的", "人民群众 OR 防汛", "谢谢谢 -改革开放", '"社会主义市场经济" 水利',
                               "民共 国 -抗旱防", "不存在"])
def test_match_finds_what_sets_of_documents_find(searcher, q):
    reader = searcher.reader()
    evaluator = Evaluator(searcher, columns.for_reader(reader))
    parsed = parse(q)
    assert np.flatnonzero(evaluator.match(parsed)).tolist() == sorted(reference_match(reader, parsed))


def reference_bm25f(searcher, needles, docs):
    """The per-document loop of BM25F over literal occurrences (evaluate.py's formula)."""
    reader = searcher.reader()
    count = reader.doc_count()
    lengths = columns.for_reader(reader)
    scores = dict.fromkeys(docs, 0.0)
    for needle in dict.fromkeys(needles):
        per_field = {fieldname: counted(reader, fieldname, needle) for fieldname in CHAR_FIELDS}
        held = len(set().union(*per_field.values()))
        if not held:
            continue
        needle_idf = log(1 + (count - held + 0.5) / (held + 0.5))
        weighted = {}
        for fieldname, weights in per_field.items():
            average = searcher.avg_field_length(fieldname) or 1
            for docnum, weight in weights.items():
                if docnum in scores:
                    normalised = weight / ((1 - B) + B * int(lengths.lengths(fieldname)[docnum]) / average)
                    weighted[docnum] = weighted.get(docnum, 0.0) + normalised
        for docnum, frequency in weighted.items():
            scores[docnum] += needle_idf * frequency * (K1 + 1) / (frequency + K1)
    return scores


def test_bm25f_scores_are_the_per_document_loops_to_the_last_bit(searcher):
    reader = searcher.reader()
    evaluator = Evaluator(searcher, columns.for_reader(reader))
    needles = ["经济", "谢谢谢", "国", "人民群众", "不存在", "经济"]
    listed = evaluator.match(parse("国 OR 经济 OR 谢谢"))
    docs = np.flatnonzero(listed).tolist()
    expected = reference_bm25f(searcher, needles, docs)
    scores = evaluator.bm25f(needles, listed)
    assert {docnum: float(scores[docnum]) for docnum in docs} == expected
    assert not scores[~listed].any()


def test_top_orders_by_score_then_document_number_as_nlargest(searcher):
    rng = random.Random(3)
    size = 300
    scores = np.array([rng.choice([0.0, 0.5, 1.25, 2.0, rng.random()]) for _ in range(size)])
    docs = np.array([rng.random() < 0.7 for _ in range(size)])
    listed = np.flatnonzero(docs).tolist()
    for limit in (0, 1, 5, 10, 37, 299, 400):
        expected = nlargest(limit, listed, key=lambda d: (scores[d], -d))
        assert top(scores, docs, limit) == expected, limit
    assert top(scores, np.zeros(size, bool), 10) == []


def test_facet_counts_filters_and_date_orders_equal_counting_sets(searcher):
    reader = searcher.reader()
    docs = columns.for_reader(reader)
    evaluator = Evaluator(searcher, docs)
    live = evaluator.live()
    assert np.flatnonzero(live).tolist() == sorted(
        offset + d for leaf, offset in reader.leaf_readers() for d in leaf.all_doc_ids())
    for q in ["国", "经济 -谢谢", "不存在"]:
        mask = evaluator.match(parse(q))
        matched = set(np.flatnonzero(mask).tolist())
        for fieldname in ("region", "topic", "official", "year", "status"):
            expected = {}
            for term in reader.field_terms(fieldname) if fieldname in reader.schema else ():
                held = set(reader.postings(fieldname, term).all_ids()) & matched
                if held:
                    expected[term] = len(held)
                assert docs.count(fieldname, term, mask) == len(held)
                assert np.flatnonzero(docs.holding(fieldname, term) & live).tolist() == sorted(
                    reader.postings(fieldname, term).all_ids())
            assert docs.counts(fieldname, mask) == expected
        for sort, key in (("newest", "newest_key"), ("oldest", "oldest_key")):
            values = list(reader.column_reader(key, translate=True)) if reader.doc_count_all() else []
            sign = -1 if sort == "newest" else 1
            expected = sorted(matched, key=lambda d: (sign * values[d], d))
            for limit in (0, 3, len(expected) + 5):
                assert docs.first_in_order(sort, mask, limit) == expected[:limit]

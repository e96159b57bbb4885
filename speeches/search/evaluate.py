"""The engine's queries evaluated over Whoosh's posting blocks.

Whoosh's matchers walk postings one document at a time through a tree of Python
objects; at 10,000 speeches a common character costs a search tens of milliseconds
to match and as much again to score. What the engine asks has a fixed shape, so it
is evaluated here directly, a block of postings at a time:

    occurrences(needle)  where a string occurs literally, and how often, in titles
                         and texts: the character field's term for one or two
                         characters, else the positions of its adjacent pairs
    match(parsed)        AND over clauses of (OR over literals), minus the excluded
    bm25f(needles, docs) the documents' scores, below

Scores are BM25F (Robertson and Zaragoza) over the literal occurrences: a needle's
counts in the title (×3) and in the text, each normalised by its field's length,
are added before they saturate, so a word in a title weighs three times one in the
text but never more than the word repeated; Whoosh's own BM25F saturates each field
apart, and one title word outscored every word of a query in the text. Statistics
are the index's: document count, average field length and field lengths as stored;
a needle's document frequency is the number of documents holding it literally.

Whoosh's BM25F on a word field stays for more-like-this (weighted_terms).
Reads Whoosh 2.7's block attributes (pinned in requirements.txt).
"""

from dataclasses import dataclass, field
from heapq import nlargest
from itertools import accumulate
from math import log
from pickle import loads

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


@dataclass
class Postings:
    """One term's postings over the whole reader (global document numbers, ascending)."""

    ids: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    values: list | None = None  # encoded positions, when asked for


def _read_leaf(matcher, offset, deleted, out):
    ids, weights, values = out.ids, out.weights, out.values
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            start = matcher._i  # a wrapper may have stepped past deleted documents
            matcher._read_ids()
            matcher._read_weights()
            block_ids = matcher._ids[start:]
            block_weights = matcher._weights[start:]
            block_values = None
            if values is not None:
                matcher._read_values()
                block_values = matcher._values[start:]
            if deleted:
                keep = [i for i, docnum in enumerate(block_ids) if docnum not in deleted]
                block_ids = [block_ids[i] for i in keep]
                block_weights = [block_weights[i] for i in keep]
                if block_values is not None:
                    block_values = [block_values[i] for i in keep]
            ids.extend(docnum + offset for docnum in block_ids) if offset else ids.extend(block_ids)
            weights.extend(block_weights)
            if block_values is not None:
                values.extend(block_values)
            matcher._next_block()
        return
    # Postings inlined in the term's entry (one document) and any other matcher.
    while matcher.is_active():
        docnum = matcher.id()
        if not deleted or docnum not in deleted:
            ids.append(docnum + offset)
            weights.append(matcher.weight())
            if values is not None:
                values.append(matcher.value())
        matcher.next()


def read_postings(reader, fieldname, term, positions=False):
    """Postings of term in fieldname across the reader's segments, deleted documents left out."""
    out = Postings(values=[] if positions else None)
    for leaf, offset in reader.leaf_readers():
        try:
            matcher = leaf.postings(fieldname, term)
        except TermNotFound:
            continue
        deleted = None
        if isinstance(matcher, FilterMatcher):  # the segment has deletions
            deleted, matcher = matcher._ids, matcher.child
        _read_leaf(matcher, offset, deleted, out)
    return out


def _position_decoder(format_):
    """Positions from an encoded posting value: Positions.decode_positions with the
    running sum done by itertools.accumulate (phrase checks decode thousands)."""
    if type(format_) is not Positions:
        return format_.decode_positions

    def decode(value):
        if not value.endswith(b"."):
            value += b"."
        return accumulate(loads(value[_INT_SIZE:]))

    return decode


@dataclass
class Occurrences:
    """Where a needle occurs literally: the documents holding it in the title or the
    text, and how often in each field, times the field's boost (title 3, text 1:
    schema.py), as the field's postings weigh it."""

    docs: set
    weights: dict  # field name -> {docnum: occurrences × field boost}


class Evaluator:
    """Evaluates the engine's queries on one searcher (see the module docstring)."""

    def __init__(self, searcher, columns):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.columns = columns
        self.weighting = searcher.weighting
        self._occurrences = {}  # needle -> Occurrences, for the life of one search

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

    def _term_scores(self, fieldname, term, postings, only=None):
        """{docnum: BM25F score} of a term's postings (restricted to `only`)."""
        idf, avgfl, B, K1 = self._bm25(fieldname, term)
        lengths = self.columns.lengths(fieldname)
        scores = {}
        for docnum, tf in zip(postings.ids, postings.weights, strict=True):
            if only is not None and docnum not in only:
                continue
            # whoosh.scoring.bm25, term for term (the same floating-point result).
            scores[docnum] = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths[docnum] / avgfl)))
        return scores

    # Matching ---------------------------------------------------------------------

    def _field_occurrences(self, fieldname, needle):
        """{docnum: occurrences of needle × the field's boost} of the documents whose
        field holds it."""
        if len(needle) <= 2:
            # A posting's weight is its frequency times the field's boost.
            postings = read_postings(self.reader, fieldname, needle)
            return dict(zip(postings.ids, postings.weights, strict=True))
        pairs = [needle[i : i + 2] for i in range(len(needle) - 1)]
        distinct = list(dict.fromkeys(pairs))
        postings = {pair: read_postings(self.reader, fieldname, pair, positions=True) for pair in distinct}
        candidates = None
        for pair in sorted(distinct, key=lambda p: len(postings[p].ids)):
            ids = postings[pair].ids
            candidates = set(ids) if candidates is None else candidates.intersection(ids)
            if not candidates:
                return {}
        decode = _position_decoder(self.reader.schema[fieldname].format)
        # Pairs at offsets 0, 2, 4, … (and the last) spell the whole needle: only their
        # positions are checked, the rarest first. Pair i must sit at start + i; each
        # start left is an occurrence.
        cover = sorted({*range(0, len(pairs), 2), len(pairs) - 1}, key=lambda i: len(postings[pairs[i]].ids))
        where = {i: dict(zip(postings[pairs[i]].ids, postings[pairs[i]].values, strict=True)) for i in cover}
        boost = self.reader.schema[fieldname].format.field_boost
        counts = {}
        for docnum in candidates:
            first = cover[0]
            starts = {p - first for p in decode(where[first][docnum])}
            for i in cover[1:]:
                starts.intersection_update(p - i for p in decode(where[i][docnum]))
                if not starts:
                    break
            if starts:
                counts[docnum] = len(starts) * boost
        return counts

    def occurrences(self, needle):
        """Occurrences of needle (matchable form) in titles and texts, read once per search."""
        found = self._occurrences.get(needle)
        if found is None:
            found = Occurrences(set(), {})
            for fieldname in CHAR_FIELDS:
                weights = found.weights[fieldname] = self._field_occurrences(fieldname, needle)
                found.docs.update(weights)
            self._occurrences[needle] = found
        return found

    def _any_of(self, literals):
        docs = set()
        for literal in literals:
            docs |= self.occurrences(literal.needle).docs
        return docs

    def match(self, parsed):
        """Documents holding every clause (one of its literals) and no excluded literal."""
        result = None
        for clause in parsed.clauses:
            found = self._any_of(clause)
            result = found if result is None else result & found
            if not result:
                return set()
        if result is None:
            return set()
        if parsed.excluded:
            result -= self.excluded(parsed)
        return result

    def excluded(self, parsed):
        """Documents holding any excluded literal."""
        return self._any_of(parsed.excluded)

    def bm25f(self, needles, docs):
        """{docnum: score} of docs for the needles, each a term, by BM25F (see K1)."""
        count = self.reader.doc_count()
        fields = []
        for fieldname in CHAR_FIELDS:
            average = self.searcher.avg_field_length(fieldname) or 1
            fields.append((fieldname, self.columns.lengths(fieldname), average))
        scores = dict.fromkeys(docs, 0.0)
        for needle in dict.fromkeys(needles):
            found = self.occurrences(needle)
            held = len(found.docs)
            if not held:
                continue
            needle_idf = idf(held, count)
            weighted = {}
            for fieldname, lengths, average in fields:
                weights = found.weights[fieldname]
                if len(weights) > len(scores):
                    pairs = ((d, weights[d]) for d in scores if d in weights)
                else:
                    pairs = ((d, w) for d, w in weights.items() if d in scores)
                for docnum, weight in pairs:
                    normalised = weight / ((1 - B) + B * lengths[docnum] / average)
                    weighted[docnum] = weighted.get(docnum, 0.0) + normalised
            for docnum, frequency in weighted.items():
                scores[docnum] += needle_idf * frequency * (K1 + 1) / (frequency + K1)
        return scores

    def weighted_terms(self, fieldname, terms):
        """{docnum: Σ weight × score} of documents holding any of the (term, weight)
        pairs: Whoosh's Or of Terms boosted by their weights (more-like-this)."""
        scores = {}
        for term, weight in terms:
            postings = read_postings(self.reader, fieldname, term)
            for docnum, score in self._term_scores(fieldname, term, postings).items():
                scores[docnum] = scores.get(docnum, 0.0) + score * weight
        return scores

    def live_docs(self):
        """Every document of the reader not deleted (a search with filters only)."""
        docs = set()
        for leaf, offset in self.reader.leaf_readers():
            if leaf.has_deletions():
                docs.update(docnum + offset for docnum in leaf.all_doc_ids())
            else:
                docs.update(range(offset, offset + leaf.doc_count_all()))
        return docs


def idf(held, count):
    """BM25's inverse document frequency of a needle `held` by documents of `count`
    (Lucene's form: never negative, so a common word still counts a little)."""
    return log(1 + (count - held + 0.5) / (held + 0.5))


def top(scores, docs, limit):
    """The `limit` best documents, best first; equal scores in document order (Whoosh's)."""
    return nlargest(limit, docs, key=lambda docnum: (scores[docnum], -docnum))

"""The engine's queries evaluated over Whoosh's posting blocks.

Whoosh's matchers walk postings one document at a time through a tree of Python
objects; at 10,000 speeches a common character costs a search tens of milliseconds
to match and as much again to score. The engine's queries have one fixed shape
(engine.whoosh_query spells it in Whoosh's terms):

    match   = AND over clauses of (OR over literals), minus the excluded literals
    literal = 0.5 × (title_chars part + body_chars part): a term for one or two
              characters, else the phrase of its adjacent pairs
    ranking = OR of the query's words in title_words, headings_words, body_words
    score   = match score + ranking score (Whoosh's AndMaybe)

so it is evaluated here directly: a term's document numbers, weights and, for
phrases, positions are read a block at a time; documents are sets; a term scores
with Whoosh's BM25F and Whoosh's statistics (idf, average field length, field
lengths as stored), a phrase scores the sum of its terms, compound queries sum
their parts, and the page is the top documents by (score, then document number),
exactly as Whoosh's collector orders them. Scores equal Whoosh's up to the order
in which floating-point sums are added.

Reads Whoosh 2.7's block attributes (pinned in requirements.txt).
"""

from dataclasses import dataclass, field
from heapq import nlargest
from itertools import accumulate
from pickle import loads

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE

from speeches.search.dictionary import cut_words

CHAR_FIELDS = ("title_chars", "body_chars")
WORD_FIELDS = ("title_words", "headings_words", "body_words")
# Literal (character) matches decide what is found; words decide the order.
CHAR_MATCH_WEIGHT = 0.5


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
class Found:
    docs: set
    scores: dict | None  # docnum -> score; None when scores were not asked for


class Evaluator:
    """Evaluates the engine's queries on one searcher (see the module docstring)."""

    def __init__(self, searcher, columns):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.columns = columns
        self.weighting = searcher.weighting

    # Scoring ----------------------------------------------------------------------

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

    def _field_literal(self, fieldname, needle, scored):
        """Documents whose field holds needle literally, with the term's (or the
        phrase's summed terms') scores."""
        if len(needle) <= 2:
            postings = read_postings(self.reader, fieldname, needle)
            docs = set(postings.ids)
            return docs, (self._term_scores(fieldname, needle, postings) if scored else None)
        pairs = [needle[i : i + 2] for i in range(len(needle) - 1)]
        distinct = list(dict.fromkeys(pairs))
        postings = {pair: read_postings(self.reader, fieldname, pair, positions=True) for pair in distinct}
        candidates = None
        for pair in sorted(distinct, key=lambda p: len(postings[p].ids)):
            ids = postings[pair].ids
            candidates = set(ids) if candidates is None else candidates.intersection(ids)
            if not candidates:
                return set(), ({} if scored else None)
        decode = _position_decoder(self.reader.schema[fieldname].format)
        # Pairs at offsets 0, 2, 4, … (and the last) spell the whole needle: only their
        # positions are checked, the rarest first. Pair i must sit at start + i.
        cover = sorted({*range(0, len(pairs), 2), len(pairs) - 1}, key=lambda i: len(postings[pairs[i]].ids))
        where = {i: dict(zip(postings[pairs[i]].ids, postings[pairs[i]].values, strict=True)) for i in cover}
        docs = set()
        for docnum in candidates:
            first = cover[0]
            starts = {p - first for p in decode(where[first][docnum])}
            for i in cover[1:]:
                starts.intersection_update(p - i for p in decode(where[i][docnum]))
                if not starts:
                    break
            if starts:
                docs.add(docnum)
        if not scored:
            return docs, None
        scores = dict.fromkeys(docs, 0.0)
        for pair in pairs:  # a pair repeated in the needle counts each time, as in Whoosh
            for docnum, score in self._term_scores(fieldname, pair, postings[pair], only=docs).items():
                scores[docnum] += score
        return docs, scores

    def literal(self, needle, scored):
        """Documents whose title or text holds needle (matchable form) literally."""
        docs, scores = set(), {} if scored else None
        for fieldname in CHAR_FIELDS:
            found, found_scores = self._field_literal(fieldname, needle, scored)
            docs |= found
            if scored:
                for docnum, score in found_scores.items():
                    scores[docnum] = scores.get(docnum, 0.0) + score
        if scored:
            scores = {docnum: score * CHAR_MATCH_WEIGHT for docnum, score in scores.items()}
        return Found(docs, scores)

    def _any_of(self, literals, scored):
        found = Found(set(), {} if scored else None)
        for literal in literals:
            part = self.literal(literal.needle, scored)
            found.docs |= part.docs
            if scored:
                for docnum, score in part.scores.items():
                    found.scores[docnum] = found.scores.get(docnum, 0.0) + score
        return found

    def match(self, parsed, scored):
        """Documents matching every clause and no excluded literal, with scores."""
        result = Found(set(), {} if scored else None)
        if not parsed.clauses:
            return result
        result = None
        for clause in parsed.clauses:
            found = self._any_of(clause, scored)
            if result is None:
                result = found
            else:
                result.docs &= found.docs
                if scored:
                    result.scores = {d: result.scores[d] + found.scores[d] for d in result.docs}
            if not result.docs:
                break
        if parsed.excluded and result.docs:
            result.docs -= self._any_of(parsed.excluded, scored=False).docs
        if scored:
            result.scores = {d: result.scores[d] for d in result.docs}
        return result

    def add_ranking(self, parsed, docs, scores):
        """Add the word fields' scores of the query's words (AndMaybe's optional side)."""
        words = []
        for literal in parsed.positive:
            words.extend(w for w in cut_words(literal.text) if w not in words)
        for word in words:
            for fieldname in WORD_FIELDS:
                postings = read_postings(self.reader, fieldname, word)
                for docnum, score in self._term_scores(fieldname, word, postings, only=docs).items():
                    scores[docnum] += score

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


def top(scores, docs, limit):
    """The `limit` best documents, best first; equal scores in document order (Whoosh's)."""
    return nlargest(limit, docs, key=lambda docnum: (scores[docnum], -docnum))

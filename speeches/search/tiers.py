"""What a search lists, and in what order: tiers of speeches.

    exact       holding the query as typed: every clause (an unquoted run or a quoted
                phrase, or one of its OR alternatives) literally, none of the excluded
    all_words   when no speech is exact: holding every word of the query (words.py:
                function words are not required), none of the excluded
    some_words  likewise, holding some of its words but not all

When some speech holds the query as typed, those speeches are the answer, as they
always were: a string typed is found exactly where it occurs, and an unquoted word
finds every speech holding it and nothing else. Only when none does is the query
read as words, and then the speeches holding all of them come first, those holding
some after. Counts, facets, exports and feeds count what is listed, all tiers.
Within a tier speeches are ranked by BM25F (evaluate.py) or by date; tiers never
mix, so one word of a query in a title never outranks every word of it in a text.
"""

from dataclasses import dataclass, field

import numpy as np

from speeches.search.evaluate import top
from speeches.search.words import query_words, resegmented

EXACT, ALL_WORDS, SOME_WORDS = "exact", "all_words", "some_words"
TIER_LABELS = {
    EXACT: "包含完整检索词",
    ALL_WORDS: "包含全部词语",
    SOME_WORDS: "只含部分词语",
}


@dataclass
class Listing:
    """The documents a search lists, tier by tier; a set of documents is a boolean mask
    over the reader's document numbers (evaluate.py)."""

    tiers: list = field(default_factory=list)  # [(tier name, mask)], listed in this order
    needles: list = field(default_factory=list)  # what is highlighted, and scored
    scored: list = field(default_factory=list)  # scored too, never required (words.ranking_needles)
    words: object = None  # words.QueryWords when the word tiers are listed, else None
    unit_docs: list = field(default_factory=list)  # per unit of words: the mask of documents holding it
    size: int = 0  # the reader's document numbers

    @property
    def docs(self):
        found = np.zeros(self.size, bool)
        for _tier, docs in self.tiers:
            found |= docs
        return found

    @property
    def total(self):
        return sum(int(np.count_nonzero(docs)) for _tier, docs in self.tiers)

    def matched(self, docnum):
        """Indexes of the units of words the document holds (word tiers)."""
        return [number for number, docs in enumerate(self.unit_docs) if docs[docnum]]


def _unit_docs(evaluator, unit):
    """Mask of the documents holding every needle of one of the unit's alternatives."""
    found = evaluator.empty()
    for alternative in unit.alternatives:
        docs = None
        for needle in sorted(alternative, key=lambda n: len(evaluator.occurrences(n).docs)):
            held = evaluator.holders(needle)
            docs = held.copy() if docs is None else docs & held
            if not docs.any():
                break
        if docs is not None:
            found |= docs
    return found


def listing(evaluator, parsed, narrow):
    """The Listing of a parsed query (not empty); narrow(mask) applies the filters."""
    exact = narrow(evaluator.match(parsed))
    if exact.any():
        return Listing(tiers=[(EXACT, exact)], needles=[lit.needle for lit in parsed.positive], size=evaluator.size)
    words = resegmented(query_words(parsed), lambda needle: bool(len(evaluator.occurrences(needle).docs)))
    found = Listing(needles=words.needles, scored=words.ranking_needles, words=words, size=evaluator.size)
    excluded = evaluator.excluded(parsed) if parsed.excluded else None
    candidates = evaluator.empty()
    for unit in words.units:
        docs = _unit_docs(evaluator, unit)
        if excluded is not None:
            docs &= ~excluded
        found.unit_docs.append(docs)
        candidates |= docs
    candidates = narrow(candidates)
    all_words = candidates.copy()
    for docs in found.unit_docs:
        all_words &= docs
    some_words = candidates & ~all_words
    found.tiers = [(tier, docs) for tier, docs in ((ALL_WORDS, all_words), (SOME_WORDS, some_words)) if docs.any()]
    return found


def scores(listing, evaluator):
    """BM25F score per document number of the listed documents over the needles
    searched and those that only rank (words typed together, the words inside long words)."""
    return evaluator.bm25f(listing.needles + listing.scored, listing.docs)


def ranked(listing, scores, limit):
    """The first `limit` (docnum, tier) of the listing by relevance: tier by tier, the
    best score first; equal scores in document order."""
    page = []
    for tier, docs in listing.tiers:
        wanted = limit - len(page)
        if wanted <= 0:
            break
        page.extend((docnum, tier) for docnum in top(scores, docs, wanted))
    return page


def in_date_order(listing, columns, sort, limit):
    """The first `limit` (docnum, tier) of the listing, tier by tier, newest or oldest first."""
    page = []
    for tier, docs in listing.tiers:
        wanted = limit - len(page)
        if wanted <= 0:
            break
        page.extend((docnum, tier) for docnum in columns.first_in_order(sort, docs, wanted))
    return page

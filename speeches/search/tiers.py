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
from heapq import nlargest

from speeches.search.words import query_words, resegmented

EXACT, ALL_WORDS, SOME_WORDS = "exact", "all_words", "some_words"
TIER_LABELS = {
    EXACT: "包含完整检索词",
    ALL_WORDS: "包含全部词语",
    SOME_WORDS: "只含部分词语",
}


@dataclass
class Listing:
    """The documents a search lists, tier by tier."""

    tiers: list = field(default_factory=list)  # [(tier name, set of docnums)], listed in this order
    needles: list = field(default_factory=list)  # what is highlighted, and scored
    scored: list = field(default_factory=list)  # scored too, never required (words.ranking_needles)
    words: object = None  # words.QueryWords when the word tiers are listed, else None
    unit_docs: list = field(default_factory=list)  # per unit of words: the docnums holding it

    @property
    def docs(self):
        found = set()
        for _tier, docs in self.tiers:
            found |= docs
        return found

    @property
    def total(self):
        return sum(len(docs) for _tier, docs in self.tiers)

    def matched(self, docnum):
        """Indexes of the units of words the document holds (word tiers)."""
        return [number for number, docs in enumerate(self.unit_docs) if docnum in docs]


def _unit_docs(evaluator, unit):
    """Documents holding every needle of one of the unit's alternatives."""
    found = set()
    for alternative in unit.alternatives:
        docs = None
        for needle in sorted(alternative, key=lambda n: len(evaluator.occurrences(n).docs)):
            held = evaluator.occurrences(needle).docs
            docs = set(held) if docs is None else docs & held
            if not docs:
                break
        found |= docs or set()
    return found


def listing(evaluator, parsed, narrow):
    """The Listing of a parsed query (not empty); narrow(docset) applies the filters."""
    exact = narrow(evaluator.match(parsed))
    if exact:
        return Listing(tiers=[(EXACT, exact)], needles=[lit.needle for lit in parsed.positive])
    words = resegmented(query_words(parsed), lambda needle: bool(evaluator.occurrences(needle).docs))
    found = Listing(needles=words.needles, scored=words.ranking_needles, words=words)
    excluded = evaluator.excluded(parsed) if parsed.excluded else set()
    candidates = set()
    for unit in words.units:
        docs = _unit_docs(evaluator, unit) - excluded
        found.unit_docs.append(docs)
        candidates |= docs
    candidates = narrow(candidates)
    all_words = set(candidates)
    for docs in found.unit_docs:
        all_words &= docs
    some_words = candidates - all_words
    found.tiers = [(tier, docs) for tier, docs in ((ALL_WORDS, all_words), (SOME_WORDS, some_words)) if docs]
    return found


def scores(listing, evaluator):
    """{docnum: BM25F score} of the listed documents over the needles searched and
    those that only rank (words typed together, the words inside long words)."""
    return evaluator.bm25f(listing.needles + listing.scored, listing.docs)


def ranked(listing, scores, limit):
    """The first `limit` (docnum, tier) of the listing by relevance: tier by tier, the
    best score first; equal scores in document order."""
    page = []
    for tier, docs in listing.tiers:
        wanted = limit - len(page)
        if wanted <= 0:
            break
        best = nlargest(wanted, docs, key=lambda d: (scores[d], -d))
        page.extend((docnum, tier) for docnum in best)
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

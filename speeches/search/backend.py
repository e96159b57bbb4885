"""What the archive asks of a full-text index: the search backend protocol.

speeches.search's public functions keep their signatures whatever the engine; behind
them, the index work goes to the backend named by settings.SEARCH_BACKEND (a dotted
path; the default is the Whoosh index on this machine, whoosh_backend.py). A second
engine (a distributed one, for an archive that outgrows one machine: README,
"Scale-out") is a subclass of SearchBackend, named in that setting and added to the
contract tests (tests/search/test_search_backend_contract.py), which it must pass.

Where the line runs. The database is the source of truth, and everything read from
it stays outside the backend, whatever the engine:

    the search form and what a query means   engine.SearchRequest, query.parse, words.py
    the queue of changes                     PendingIndexUpdate rows, written in the
                                             transaction of each change (signals.py)
    what the index holds for a speech        indexing.document; its signature
                                             (indexing.document_signature)
    a page of hits                           rows loaded from the database (published,
                                             not merged), snippets and titles marked
                                             (highlight.py), facets named (engine.py)
    the drift check                          drift.py: database signatures against the
                                             backend's
    more-like-this's fallback                related.py: neighbours by topic and region

The backend holds the index and answers from it: which speeches a query lists, in
tiers (tiers.py: exact, else all words, else some), ranked or in date order, the page
wanted, the facet counts of everything listed; which speeches are like one; term
trends; it applies the queue, rebuilds, and hands back the stored signatures.
Published-and-not-merged is decided by the index entry's status (indexing.document),
so a backend never lists a draft, withdrawn or merged copy.
"""

import abc
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

# What layout() and index_state() report. Only a rebuild reads an index of another
# layout right; UNSURE means something differs or may, and check() tells what.
CURRENT, MISSING, OTHER_SCHEMA, UNSURE = "current", "missing", "other schema", "unsure"


@dataclass
class IndexQuery:
    """A search as the backend sees it: the parsed query, the filters, the order and
    the window of the listing wanted. The filter attributes are SearchRequest's names."""

    parsed: object  # query.ParsedQuery; empty: every speech the filters keep
    region: str = ""  # a region code: the speech's region or one below it
    topic: str = ""  # a topic slug
    official: str = ""  # an Official id (as text) cited in or delivering the speech
    speaker: str = ""  # an Official id (as text) delivering it
    year_range: tuple | None = None  # (first, last) as four-digit strings, inclusive
    kind: str = ""  # Speech.KINDS
    sort: str = "relevance"  # "relevance", "newest" or "oldest"
    first: int = 0  # the listing's hits wanted: [first, limit)
    limit: int = 0
    facet_regions: tuple = ()  # the region codes whose counts the facets show


@dataclass
class IndexHit:
    speech_id: int
    tier: str  # tiers.EXACT, ALL_WORDS or SOME_WORDS
    score: float | None  # None in date order
    matched: list = field(default_factory=list)  # the query's literals or words it holds
    missing: list = field(default_factory=list)  # the query's words it lacks (word tiers)


@dataclass
class IndexAnswer:
    """What the index answers for an IndexQuery."""

    tiers: list = field(default_factory=list)  # [(tier, count)] of the tiers listing any speech, in order
    needles: list = field(default_factory=list)  # what hits highlight (text.matchable strings)
    words: object = None  # words.QueryWords when listed by the query's words, else None
    # With words: per unit of words, whether any listed speech holds it.
    units_held: list = field(default_factory=list)
    # {"region": {code: n} for the facet_regions, "topic": {slug: n}, "year": {"2008": n},
    #  "official": {id: n}, "speaker": {id: n}}: listed speeches per value, zeros left out.
    facets: dict = field(default_factory=dict)
    hits: list = field(default_factory=list)  # [IndexHit] of the window, in listing order

    @property
    def total(self):
        return sum(count for _tier, count in self.tiers)


class SearchBackend(abc.ABC):
    """A full-text index kept equal to the database. Every method may be called from
    any web or job process; writes are serialised by the backend (one writer at a time),
    reads never wait for them."""

    # Reading ------------------------------------------------------------------

    @abc.abstractmethod
    def query(self, query):
        """The IndexAnswer for an IndexQuery, or None before the first build.

        Listing: when some published speech holds every clause of the query as typed
        (query.py: literals folded by text.matchable, matched as substrings of title
        or text; OR alternatives; none of the excluded), those, as tier EXACT; else
        the query's words (words.query_words, resegmented by what the index holds):
        tier ALL_WORDS, then SOME_WORDS. Ranked by BM25F within a tier (evaluate.py),
        or by date (undated last). Facets count every listed speech, all tiers."""

    @abc.abstractmethod
    def matching_ids(self, query):
        """The set of speech ids query() lists, every tier, no order (exports, feeds)."""

    @abc.abstractmethod
    def similar_ids(self, speech, limit):
        """Up to `limit` ids of published speeches sharing the most key words with
        `speech`, most alike first, never its own; [] when too few key words match."""

    @abc.abstractmethod
    def term_trends(self, terms, request):
        """trends.Trends of the terms over the published speeches the request's
        filters keep (trends.py)."""

    # Writing ------------------------------------------------------------------

    @abc.abstractmethod
    def apply_pending(self, blocking=False):
        """Write the current database state of every queued speech (PendingIndexUpdate;
        absent ones are removed) and delete the rows applied, only once written. With
        blocking=False, return at once when another process is applying the queue (it
        re-reads the queue before it stops). Returns the number of speeches applied."""

    @abc.abstractmethod
    def rebuild(self, progress=None):
        """Index every speech anew and serve the new index only once complete (the old
        one serves meanwhile; a failure leaves it serving), with the changes queued
        meanwhile. progress(count) is called as speeches are read. Returns the count."""

    @abc.abstractmethod
    def last_rebuilt_at(self):
        """When the served index was last swapped in by a rebuild, or None."""

    # Drift checks -----------------------------------------------------------

    @abc.abstractmethod
    def layout(self):
        """MISSING before the first build, OTHER_SCHEMA when the index was written with
        other fields than this code writes (only a rebuild reads it right), else CURRENT."""

    @abc.abstractmethod
    def entry_count(self):
        """How many speeches the served index holds."""

    @abc.abstractmethod
    def signatures(self, ids=None):
        """{speech id: the signature stored with its entry} (indexing.document_signature
        when it was written) for every entry, or for those of `ids` the index holds."""


_lock = threading.Lock()
_instances = {}  # dotted path -> backend


def current():
    """The configured backend (settings.SEARCH_BACKEND), one instance per process."""
    path = settings.SEARCH_BACKEND
    found = _instances.get(path)
    if found is None:
        with _lock:
            found = _instances.get(path)
            if found is None:
                found = _instances[path] = import_string(path)()
                if not isinstance(found, SearchBackend):
                    del _instances[path]
                    raise TypeError(f"SEARCH_BACKEND {path} is not a speeches.search.backend.SearchBackend")
    return found

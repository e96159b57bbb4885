"""Full-text search over the archive: the only package that knows Whoosh.

    search(params_or_request)      -> SearchResults (hits, total, tiers, facets, notes):
                                      the speeches holding the query as typed, else those
                                      holding all its words, then some (tiers.py)
    matching_ids(params_or_request) -> set of the ids of every speech listed (exports, feeds)
    SearchRequest.from_params(GET) -> validated search form
    enqueue(speech_ids)            queue re-indexing after bulk changes that send no signals
    process_pending()              apply the queue now
    index_speeches(ids)            queue and apply now
    rebuild()                      build a new index generation and swap it in
    check(repair=False)            compare database and index (Drift)
    index_state()                  CURRENT, MISSING, OTHER_SCHEMA or UNSURE, from a sample
    related_speeches(speech, limit) -> speeches like this one (more-like-this, then DB neighbours)
    last_rebuilt_at()              when the served index generation was swapped in, or None
    user_terms_changed(terms)      curators' dictionary words changed: reload, re-index their speeches
    term_trends(terms, request)    occurrences of terms per year and province (trends.py)

The index work behind these goes to the backend of settings.SEARCH_BACKEND (backend.py:
the protocol and where the line runs; whoosh_backend.py: the Whoosh index of one machine).
"""

from django.db.models import Q

from speeches.models import Speech
from speeches.search import backend, signals
from speeches.search.backend import CURRENT, MISSING, OTHER_SCHEMA, UNSURE
from speeches.search.drift import Drift, check, index_speeches, index_state
from speeches.search.engine import (
    PER_PAGE,
    SORTS,
    SearchRequest,
    SearchResults,
    matching_ids,
    search,
)
from speeches.search.related import related_speeches
from speeches.search.signals import apply_queued_now, enqueue, updates_held


def process_pending(blocking=False):
    """Apply the queue of index updates now (backend.SearchBackend.apply_pending)."""
    return backend.current().apply_pending(blocking=blocking)


def rebuild(progress=None):
    """Index every speech anew and serve it once complete; returns the count."""
    return backend.current().rebuild(progress=progress)


def last_rebuilt_at():
    """When the served index was swapped in by a rebuild, or None."""
    return backend.current().last_rebuilt_at()


def term_trends(terms, request):
    """Occurrences of terms per year and province (trends.py)."""
    return backend.current().term_trends(terms, request)


def user_terms_changed(terms):
    """Curators added or removed dictionary words: every process reloads the vocabulary
    after commit, and the speeches holding the words are re-indexed with the new cuts."""
    signals.vocabulary_changed()
    holding = Q(pk__in=[])
    for term in terms:
        holding |= Q(title__contains=term) | Q(body__contains=term)
    enqueue(Speech.objects.filter(holding).values_list("pk", flat=True))


__all__ = [
    "CURRENT",
    "MISSING",
    "OTHER_SCHEMA",
    "PER_PAGE",
    "SORTS",
    "Drift",
    "SearchRequest",
    "SearchResults",
    "UNSURE",
    "apply_queued_now",
    "check",
    "enqueue",
    "index_speeches",
    "index_state",
    "last_rebuilt_at",
    "matching_ids",
    "process_pending",
    "rebuild",
    "related_speeches",
    "search",
    "term_trends",
    "updates_held",
    "user_terms_changed",
]

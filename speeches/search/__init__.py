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
"""

from datetime import UTC, datetime

from django.db.models import Q

from speeches.models import Speech
from speeches.search import signals, store
from speeches.search.engine import (
    PER_PAGE,
    SORTS,
    SearchRequest,
    SearchResults,
    matching_ids,
    search,
)
from speeches.search.indexing import (
    CURRENT,
    MISSING,
    OTHER_SCHEMA,
    UNSURE,
    Drift,
    check,
    index_speeches,
    index_state,
    process_pending,
    rebuild,
)
from speeches.search.related import related_speeches
from speeches.search.signals import enqueue


def last_rebuilt_at():
    """When the served generation was swapped in (the CURRENT pointer is written only then)."""
    try:
        return datetime.fromtimestamp((store.root() / store.POINTER).stat().st_mtime, tz=UTC)
    except FileNotFoundError:
        return None


def user_terms_changed(terms):
    """Curators added or removed dictionary words: every process reloads the vocabulary
    after commit, and the speeches holding the words are re-indexed with the new cuts."""
    signals._vocabulary_changed()
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
    "user_terms_changed",
]

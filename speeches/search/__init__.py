"""Full-text search over the archive: the only package that knows Whoosh.

    search(params_or_request)      -> SearchResults (hits, total, facets, notes)
    matching_ids(params_or_request) -> set of the ids of every speech found (exports, checks)
    SearchRequest.from_params(GET) -> validated search form
    enqueue(speech_ids)            queue re-indexing after bulk changes that send no signals
    process_pending()              apply the queue now
    index_speeches(ids)            queue and apply now
    rebuild()                      build a new index generation and swap it in
    check(repair=False)            compare database and index (Drift)
    related_speeches(speech, limit) -> speeches like this one (more-like-this, then DB neighbours)
"""

from speeches.search.engine import (
    PER_PAGE,
    SORTS,
    SearchRequest,
    SearchResults,
    matching_ids,
    search,
)
from speeches.search.indexing import Drift, check, index_speeches, process_pending, rebuild
from speeches.search.related import related_speeches
from speeches.search.signals import enqueue

__all__ = [
    "PER_PAGE",
    "SORTS",
    "Drift",
    "SearchRequest",
    "SearchResults",
    "check",
    "enqueue",
    "index_speeches",
    "matching_ids",
    "process_pending",
    "rebuild",
    "related_speeches",
    "search",
]

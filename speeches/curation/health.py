"""The search health page: does the index hold what the database holds, what do people
search for (and not find), and the curators' own dictionary words."""

import logging
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from speeches import search, search_log
from speeches.models import DictionaryTerm, PendingIndexUpdate, SearchQueryLog

log = logging.getLogger(__name__)

QUERY_DAYS = 30
QUERY_LIMIT = 20
# Ids listed per kind of drift; the counts are always complete.
DRIFT_SHOWN = 50


def search_health():
    """Drift between database and index, without repairing it (search.check applies the
    queue first, as any writer would), and when the index was last rebuilt."""
    drift = search.check(repair=False)
    return {
        "drift": drift,
        "drift_shown": DRIFT_SHOWN,
        "last_rebuilt_at": search.last_rebuilt_at(),
        "pending": PendingIndexUpdate.objects.count(),
    }


def count_spooled_searches():
    """Fold the searches spooled since the worker last did (search_log) into the counts
    shown; the page still shows the counts when that cannot be done now."""
    try:
        search_log.flush()
    except (DatabaseError, OSError):
        log.warning("spooled searches not counted yet", exc_info=True)


def _recent(days):
    return SearchQueryLog.objects.filter(day__gte=timezone.localdate() - timedelta(days=days - 1))


def frequent_queries(days=QUERY_DAYS, limit=QUERY_LIMIT):
    """[{query, searches, results}] most searched first, over the last `days` days."""
    rows = (
        _recent(days).order_by().values("query")
        .annotate(searches=Sum("count"), results=Max("results_count"))
        .order_by("-searches", "query")[:limit]
    )
    return list(rows)


def zero_result_queries(days=QUERY_DAYS, limit=QUERY_LIMIT):
    """[{query, searches, last_day}] for searches that found nothing, most asked first."""
    rows = (
        _recent(days).filter(results_count=0).order_by().values("query")
        .annotate(searches=Sum("count"), last_day=Max("day"))
        .order_by("-searches", "query")[:limit]
    )
    return list(rows)


class TermError(ValueError):
    """A dictionary word that cannot be added; the message says why."""


MIN_TERM, MAX_TERM = 2, 50


def normalise_term(term):
    """The word without spaces; TermError when it cannot be a dictionary word."""
    term = "".join(str(term or "").split())
    if not MIN_TERM <= len(term) <= MAX_TERM:
        raise TermError(f"词语应有 {MIN_TERM} 到 {MAX_TERM} 个字。")
    if not any(ch.isalnum() for ch in term):
        raise TermError("词语至少要有一个汉字、字母或数字。")
    return term


def clean_term(term):
    term = normalise_term(term)
    if DictionaryTerm.objects.filter(term=term).exists():
        raise TermError(f"“{term}”已在词典中。")
    return term


def add_dictionary_term(term, user=None):
    """Add a word to the segmenter's vocabulary; speeches holding it are re-indexed."""
    term = clean_term(term)
    with transaction.atomic():
        added = DictionaryTerm.objects.create(term=term, added_by=user if user and user.is_authenticated else None)
        search.user_terms_changed([term])
    return added

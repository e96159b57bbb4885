"""The search page and the search API: read the request, call speeches.search, render."""

import logging

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from speeches import search_log
from speeches.models import Region, Speech
from speeches.province_map import province_map
from speeches.search import SORTS, SearchRequest, search
from speeches.throttle import SEARCH, limited, throttled
from speeches.views.search_export import EXPORT_FORMATS, export_response
from speeches.years import year_histogram

log = logging.getLogger(__name__)


def _log_query(request, results):
    """Count the search for the curators' health page: once per search, not per page
    turned nor per HEAD; the words only, never who asked. Spooled, never written to the
    database here (search_log). A failed count never fails the search."""
    if request.method != "GET" or not results.searched or results.page != 1:
        return
    try:
        search_log.record(results.request.q, results.total)
    except OSError:
        log.warning("search query not counted", exc_info=True)


def _url_without(request, *names):
    """This page's address without the given parameters (and back to page 1)."""
    params = request.GET.copy()
    for name in (*names, "page"):
        params.pop(name, None)
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


def _url_with(request, **values):
    """This page's address with the given parameters set (and back to page 1)."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in values.items():
        params[name] = value
    return f"{request.path}?{params.urlencode()}"


def _results_by_year(request, results):
    years = [(item["year"], item["count"]) for item in results.facets["year"]]
    # The year facet counts only speeches with a known year; the rest are unknown.
    years.append((None, results.total - sum(count for _, count in years)))
    return year_histogram(years, lambda year: _url_with(request, year=str(year)))


def _results_on_map(request, results):
    """The region facet on the provinces' tile map (only while it counts provinces, not
    the sub-regions of a region filter), tiles linking to the search narrowed to them."""
    if results.request.region:
        return None
    counts = {item["code"]: item["count"] for item in results.facets["region"] if item["code"] != Region.NATIONAL_CODE}
    if not any(counts.values()):
        return None
    return province_map(counts, lambda code: _url_with(request, region=code))


@require_safe
@limited(SEARCH)
def search_page(request):
    results = search(SearchRequest.from_params(request.GET))
    _log_query(request, results)
    for active in results.filters:
        active.remove_url = _url_without(request, active.param)
    context = {
        "results": results,
        "sorts": SORTS,
        "kinds": Speech.KINDS,
        "clear_filters_url": _url_without(request, "region", "topic", "official", "speaker", "year", "kind"),
        "year_histogram": _results_by_year(request, results) if results.total else None,
        "map": _results_on_map(request, results) if results.total else None,
        "national_count": next(
            (item["count"] for item in results.facets["region"] if item["code"] == Region.NATIONAL_CODE), 0
        ),
    }
    return render(request, "speeches/search.html", context)


@require_safe
@throttled
def search_api(request):
    fmt = request.GET.get("format", "")
    if fmt in EXPORT_FORMATS:
        return export_response(request, SearchRequest.from_params(request.GET), fmt)
    results = search(SearchRequest.from_params(request.GET))
    _log_query(request, results)
    return JsonResponse(results.as_dict(), json_dumps_params={"ensure_ascii": False})

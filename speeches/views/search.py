"""The search page and the search API: read the request, call speeches.search, render."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from speeches.models import Speech
from speeches.search import SORTS, SearchRequest, search


def _url_without(request, *names):
    """This page's address without the given parameters (and back to page 1)."""
    params = request.GET.copy()
    for name in (*names, "page"):
        params.pop(name, None)
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


@require_GET
def search_page(request):
    results = search(SearchRequest.from_params(request.GET))
    for active in results.filters:
        active.remove_url = _url_without(request, active.param)
    context = {
        "results": results,
        "sorts": SORTS,
        "kinds": Speech.KINDS,
        "clear_filters_url": _url_without(request, "region", "topic", "official", "year", "kind"),
    }
    return render(request, "speeches/search.html", context)


@require_GET
def search_api(request):
    results = search(SearchRequest.from_params(request.GET))
    return JsonResponse(results.as_dict(), json_dumps_params={"ensure_ascii": False})

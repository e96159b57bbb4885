"""Term trends: the page (/trends/?q=…&q=…) and its numbers as JSON or CSV (/api/trends/)."""

import csv
import io
from urllib.parse import urlencode

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from speeches.models import Region, Speech, Topic
from speeches.province_map import province_map
from speeches.search import SearchRequest, term_trends
from speeches.search.trends import MAX_TERMS, NATIONAL_CODE
from speeches.throttle import throttled
from speeches.trend_chart import MEASURES, format_value, trend_chart, value

# The search filters a trend can be narrowed by (the search's own parameters).
FILTERS = ("region", "topic", "official", "year", "kind")
TERM_INPUTS = 3
CSV_FIELDS = ("term", "year", "occurrences", "speeches", "speeches_in_year", "share", "chars_in_year", "per_10k_chars")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filters(params):
    return {name: params.get(name, "").strip() for name in FILTERS if params.get(name, "").strip()}


def _search_url(filters, **values):
    params = {**filters, **{k: v for k, v in values.items() if v}}
    return f"{reverse('speeches:search')}?{urlencode(params)}"


def _region_names(codes):
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _province_rows(trends):
    """[(code, name, [PlaceCount or None per term])], the country first, then by code."""
    codes = sorted({code for term in trends.terms for code in term.places}, key=lambda c: (c != NATIONAL_CODE, c))
    names = _region_names(codes)
    return [(code, names.get(code, code), [term.places.get(code) for term in trends.terms]) for code in codes]


def _year_rows(trends, measure):
    rows = []
    for index, year in enumerate(trends.years):
        counts = [term.years[index] for term in trends.terms]
        rows.append({
            "year": year,
            "speeches": counts[0].speeches_in_year if counts else 0,
            "cells": [
                {"count": count, "value": format_value(value(count, measure), measure)} for count in counts
            ],
        })
    return rows


def _term_map(trends, mapped, filters):
    term = trends.terms[mapped]
    counts = {code: place.speeches for code, place in term.places.items() if code != NATIONAL_CODE}
    if not any(counts.values()):
        return None
    return province_map(counts, lambda code: _search_url(filters, q=f'"{term.term}"', region=code))


@require_GET
def trends_page(request):
    terms = request.GET.getlist("q")
    search_request = SearchRequest.from_params(request.GET)
    trends = term_trends(terms, search_request)
    measure = request.GET.get("measure", "count")
    if measure not in MEASURES:
        measure = "count"
    filters = _filters(request.GET)
    mapped = request.GET.get("map", "1")
    mapped = int(mapped) - 1 if mapped.isascii() and mapped.isdigit() and 1 <= int(mapped) <= len(trends.terms) else 0
    chart = trend_chart(trends, measure, lambda term, year: _search_url(filters, q=f'"{term}"', year=str(year)))
    shown_terms = [term.term for term in trends.terms]
    inputs = shown_terms + [""] * max(0, TERM_INPUTS - len(shown_terms))
    if len(inputs) < MAX_TERMS and len(shown_terms) >= TERM_INPUTS:
        inputs.append("")
    national = trends.terms[mapped].places.get(NATIONAL_CODE) if trends.terms else None
    context = {
        "trends": trends,
        "chart": chart,
        "measure": measure,
        "measures": MEASURES,
        "measure_label": MEASURES[measure],
        "mapped_term": trends.terms[mapped].term if trends.terms else "",
        "inputs": inputs,
        "filters": filters,
        "regions": Region.objects.filter(level__in=[Region.NATIONAL, Region.PROVINCE]).order_by("code"),
        "selected_region": Region.objects.filter(code=filters.get("region", "")).first(),
        "topics": Topic.objects.order_by("name"),
        "kinds": Speech.KINDS,
        "year_rows": _year_rows(trends, measure),
        "province_rows": _province_rows(trends),
        "mapped": mapped,
        "map": _term_map(trends, mapped, filters) if trends.terms else None,
        "national_count": national.speeches if national else 0,
        "api_query": request.GET.urlencode(),
    }
    return render(request, "speeches/trends.html", context)


def trends_as_dict(trends):
    """The trends API's answer (its field names are a contract)."""
    names = _region_names([code for term in trends.terms for code in term.places])
    return {
        "terms": [
            {
                "term": term.term,
                "occurrences": term.occurrences,
                "speeches": term.speeches,
                "years": [
                    {
                        "year": y.year,
                        "occurrences": y.occurrences,
                        "speeches": y.speeches,
                        "per_10k_chars": round(y.per_10k_chars, 4),
                        "speeches_in_year": y.speeches_in_year,
                        "share": round(y.share, 4),
                    }
                    for y in term.years
                ],
                "undated": {"occurrences": term.undated_occurrences, "speeches": term.undated_speeches},
                "places": [
                    {"code": code, "name": names.get(code, code), "occurrences": place.occurrences,
                     "speeches": place.speeches}
                    for code, place in sorted(term.places.items())
                ],
            }
            for term in trends.terms
        ],
        "speeches": trends.speeches,
        "notes": trends.notes,
    }


def safe_cell(cell):
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a quote mark."""
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_response(trends):
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark so spreadsheet programs read UTF-8 Chinese
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for term in trends.terms:
        for y in term.years:
            writer.writerow([
                safe_cell(term.term), y.year, y.occurrences, y.speeches, y.speeches_in_year,
                f"{y.share:.4f}", y.chars_in_year, f"{y.per_10k_chars:.4f}",
            ])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trends.csv"'
    return response


@require_GET
@throttled
def trends_api(request):
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "csv"):
        return JsonResponse({"error": f"不支持的格式：{fmt[:20]}（可用 json 或 csv）"}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    trends = term_trends(request.GET.getlist("q"), SearchRequest.from_params(request.GET))
    if not trends.terms:
        trends.notes.append("没有要统计的词语：请用 q 参数给出一个或几个，如 ?q=改革开放&q=高质量发展。")
    if fmt == "csv":
        return _csv_response(trends)
    return JsonResponse(trends_as_dict(trends), json_dumps_params={"ensure_ascii": False})

"""Years as the archive states them: a year read from an address, and speeches per year
drawn as a histogram (the year pages and the search results)."""

import math

UNKNOWN_YEAR = "unknown"


def parse_year(value):
    """A year from a URL or query: 'unknown' → None (unknown or masked), 1-4 digits → int.
    Anything else raises ValueError."""
    if value == UNKNOWN_YEAR:
        return None
    if 1 <= len(value) <= 4 and value.isascii() and value.isdigit() and int(value) > 0:
        return int(value)
    raise ValueError(f"not a year: {value!r}")


# Heights of histogram bars in steps of 5 %: a CSS class each (h-0 … h-20), so the page
# needs no inline styles and works under a strict Content-Security-Policy.
HISTOGRAM_STEPS = 20
# Beyond this many years between the first and the last, empty years are not drawn.
HISTOGRAM_MAX_SPAN = 120


def year_histogram(year_counts, url_for_year):
    """Bars for [(year or None, count)], oldest year first, with the empty years in between
    so the axis is even; the unknown-year count is reported apart, never placed on the axis.
    `url_for_year(year)` is where a bar links. None when no year is known."""
    known = {year: count for year, count in year_counts if year is not None and count}
    if not known:
        return None
    first, last = min(known), max(known)
    years = range(first, last + 1) if last - first <= HISTOGRAM_MAX_SPAN else sorted(known)
    largest = max(known.values())
    bars = []
    for year in years:
        count = known.get(year, 0)
        step = math.ceil(count * HISTOGRAM_STEPS / largest) if count else 0
        bars.append({"year": year, "count": count, "step": step, "url": url_for_year(year) if count else ""})
    return {
        "bars": bars,
        "first": first,
        "last": last,
        "largest": largest,
        "unknown_count": sum(count for year, count in year_counts if year is None),
    }

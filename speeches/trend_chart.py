"""The trends page's line chart, laid out here and drawn as SVG by
templates/speeches/_trend_chart.html: no script, no inline style (colours are the
classes series-1 … series-6 of static/css/site.css).

    trend_chart(trends, measure, url_for) -> the chart's lines, points and axes, or None

`trends` is speeches.search.trends.Trends; `measure` one of MEASURES; `url_for(term,
year)` is where a point links (the search for that term in that year)."""

import math

MEASURES = {
    "count": "出现次数",
    "per10k": "每万字出现次数",
    "share": "含该词的讲话占当年讲话的百分比",
}
WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 40
Y_TICKS = 4
MAX_YEAR_LABELS = 10


def value(year_count, measure):
    if measure == "per10k":
        return year_count.per_10k_chars
    if measure == "share":
        return year_count.share * 100
    return year_count.occurrences


def format_value(number, measure):
    if measure == "count":
        return f"{number:,.0f}"
    if measure == "share":
        return f"{number:.1f}%"
    return f"{number:.2f}"


def _nice_step(rough):
    """1, 2 or 5 times a power of ten, at least `rough`."""
    if rough <= 0:
        return 1
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return factor * power
    return 10 * power


def _year_step(span):
    for step in (1, 2, 5, 10, 20, 50):
        if span / step <= MAX_YEAR_LABELS:
            return step
    return 100


def trend_chart(trends, measure, url_for):
    if not trends.terms or not trends.years:
        return None
    first, last = trends.years[0], trends.years[-1]
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    largest = max((value(y, measure) for term in trends.terms for y in term.years), default=0)
    step = _nice_step(largest / Y_TICKS) if largest else (1 if measure == "count" else 0.5)
    if measure == "count":
        step = max(1, math.ceil(step))
    top_value = step * max(1, math.ceil(largest / step)) if largest else step * Y_TICKS

    def x(year):
        if first == last:
            return LEFT + plot_width / 2
        return LEFT + (year - first) * plot_width / (last - first)

    def y(number):
        return TOP + plot_height * (1 - number / top_value)

    y_ticks = []
    for index in range(round(top_value / step) + 1):
        number = index * step
        y_ticks.append({"y": round(y(number), 1), "label": format_value(number, measure)})
    year_step = _year_step(last - first)
    x_ticks = [
        {"x": round(x(year), 1), "label": str(year)}
        for year in range(first, last + 1)
        if year % year_step == 0 or first == last
    ]
    series = []
    for number, term in enumerate(trends.terms, start=1):
        points = []
        for year_count in term.years:
            amount = value(year_count, measure)
            points.append({
                "x": round(x(year_count.year), 1),
                "y": round(y(amount), 1),
                "year": year_count.year,
                "label": f"{term.term}，{year_count.year}年：{format_value(amount, measure)}"
                f"（{year_count.occurrences} 次，{year_count.speeches} 篇）",
                # A point links to the speeches holding the term that year; none when they are none.
                "url": url_for(term.term, year_count.year) if year_count.speeches else None,
            })
        series.append({
            "number": number,
            "term": term.term,
            "line": " ".join(f"{p['x']},{p['y']}" for p in points),
            "points": points,
        })
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 24,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "series": series,
        "measure": measure,
        "measure_label": MEASURES[measure],
    }

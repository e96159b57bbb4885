"""Public HTML pages: the home page, speeches, sources and the browse pages.
Query logic lives on SpeechQuerySet; these views pick, paginate and render."""

import math

# The standard library's escape: Django's wraps each call (2,000 regions make it count).
from html import escape

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from speeches.models import Citation, Official, Region, Source, Speech, SpeechTopic, Topic
from speeches.province_map import province_map
from speeches.search import related_speeches

SPEECHES_PER_PAGE = 20
RELATED_COUNT = 5
SAME_SOURCE_SHOWN = 20
OFFICIALS_PER_PAGE = 100
# Regions nest by code prefix: province (2 digits), prefecture (4), county (6), township (9, 12).
PUBLISHED = Q(speeches__status=Speech.PUBLISHED)


def _rows(queryset, start, stop):
    """queryset[start:stop], the slice taken on ids first: an index covers the ordering
    of ids, while sorting whole rows made SQLite read every speech (its long text
    included) to show twenty. One query still."""
    return queryset.filter(pk__in=queryset.values("pk")[start:stop])


class _Paginator(Paginator):
    def page(self, number):
        # Paginator.page, with _rows() for the slice.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(_rows(self.object_list, bottom, top), number, self)


def _page(request, queryset, per_page=SPEECHES_PER_PAGE):
    # get_page() turns a bad or out-of-range ?page= into the first or last page: never an error.
    return _Paginator(queryset, per_page, orphans=3).get_page(request.GET.get("page"))


def _listing():
    # Lists show titles and facts, never the text: leaving out the long columns keeps
    # sorting cheap (national reports run to tens of thousands of characters).
    return Speech.objects.published().for_listing()


def _published_ids():
    # A subquery the covering index answers: joins checking each speech's status read its row.
    return Speech.objects.published().values("pk")


def _topics_with_counts():
    return (
        Topic.objects.annotate(
            speech_count=Count("speechtopic", filter=Q(speechtopic__speech__in=_published_ids()))
        )
        .filter(speech_count__gt=0)
        .order_by("-speech_count", "name")
    )


def home(request):
    published = Speech.objects.published()
    context = {
        # Provinces (and the country) and topics right on the home page: a speech is then
        # two clicks away, its region's or topic's page and the speech itself.
        "top_regions": Region.objects.tree_with_counts(published),
        "unplaced_count": published.filter(region=None).count(),
        "topics": _topics_with_counts(),
        "untagged_count": published.filter(topics=None).count(),
        "speech_count": published.count(),
        # Distinct ids only: a distinct over whole rows would compare the sources' raw bytes.
        "source_count": published.exclude(source=None).values("source").distinct().count(),
        "region_count": published.exclude(region=None).values("region").distinct().count(),
        "topic_count": SpeechTopic.objects.filter(speech__in=_published_ids()).values("topic").distinct().count(),
        "official_count": Citation.objects.filter(speech__in=_published_ids()).values("official").distinct().count(),
        "latest": _rows(_listing().newest_first(), 0, 10),
    }
    return render(request, "speeches/home.html", context)


def speech_list(request):
    page = _page(request, _listing().newest_first())
    return render(request, "speeches/speech_list.html", {"page": page})


def _reading_paragraphs(speech, sections):
    """Paragraphs to render: anchors of the sections starting in each, and the section's
    own number and heading split off when the paragraph opens with them, to set in bold;
    `note` marks the notes after the text (名词解释, 注释)."""
    paragraphs = []
    starts = [start for _index, _text, start, _end in speech.paragraph_spans()]
    for (index, text, starting), start in zip(speech.paragraphs_with_sections(sections), starts, strict=True):
        heading = ""
        if starting:
            first = starting[0]
            if text.startswith(first.number + first.heading):
                heading = first.number + first.heading
        paragraphs.append(
            {
                "index": index,
                "sections": starting,
                "level": starting[0].level if starting else None,
                "heading": heading,
                "text": text[len(heading) :],
                "note": speech.in_notes(start),
            }
        )
    return paragraphs


def speech_detail(request, uid):
    speech = get_object_or_404(
        # region__parent__parent: the breadcrumb (county → prefecture → province) without more queries.
        Speech.objects.select_related("source", "region__parent__parent", "merged_into", "speaker")
        # The page names its source; the source's introduction is on the source's page.
        .defer("source__intro"),
        uid=uid,
    )
    # A duplicate merged into another speech sends its readers (and links) to the kept one.
    if speech.merged_into_id and speech.merged_into_id != speech.pk:
        return redirect(speech.merged_into, permanent=True)
    if speech.status == Speech.WITHDRAWN:
        return render(request, "speeches/speech_gone.html", {"speech": speech}, status=410)
    if not speech.is_public:
        raise Http404("讲话不存在")

    sections = list(speech.sections.all())
    reading = _reading_paragraphs(speech, sections)
    officials = []
    for citation in speech.citations.select_related("official"):
        if citation.official not in officials:
            officials.append(citation.official)
    same_source, same_source_count = [], 0
    if speech.source_id:
        others = speech.source.speeches.published().exclude(pk=speech.pk)
        # A bulk file is one source of thousands of speeches: list the first few, link the rest.
        same_source = list(
            others.order_by("position", "id").only("uid", "title", "date", "year", "year_masked", "source")[
                : SAME_SOURCE_SHOWN + 1
            ]
        )
        same_source_count = len(same_source) if len(same_source) <= SAME_SOURCE_SHOWN else others.count()
        same_source = same_source[:SAME_SOURCE_SHOWN]
    same_source_ids = {other.pk for other in same_source}
    context = {
        "speech": speech,
        "breadcrumbs": speech.region.ancestors() if speech.region else [],
        "topics": list(speech.topics.all()),
        "sections": sections,
        "paragraphs": [p for p in reading if not p["note"]],
        "notes": [p for p in reading if p["note"]],
        "officials": officials,
        "same_source": same_source,
        "same_source_count": same_source_count,
        # Speeches of the same source are listed already; related ones are the others.
        "related": [
            other for other in related_speeches(speech, limit=RELATED_COUNT + len(same_source_ids))
            if other.pk not in same_source_ids
        ][:RELATED_COUNT],
    }
    return render(request, "speeches/speech_detail.html", context)


def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    speeches = _listing().filter(source=source).order_by("position", "id")
    if not speeches.exists():
        # A source whose speeches are all unpublished has nothing public to show.
        raise Http404("来源不存在")
    return render(request, "speeches/source_detail.html", {"source": source, "speeches": speeches})


def _region_url_maker():
    # One reverse() for all regions: reversing each of 2,000 regions costs ~80 ms.
    marker = "0000000000"
    pattern = reverse("speeches:region_detail", args=[marker])
    return lambda code: pattern.replace(marker, code)


def region_tree_html(roots):
    """The nested list of the region tree (Region.objects.tree_with_counts), written here
    rather than by a template including itself per region: that cost ~0.1 ms a region,
    200 ms for the 2,000 regions 10,000 speeches are spread over."""
    url = _region_url_maker()
    parts = []

    def walk(regions):
        for region in regions:
            parts.append(f'<li><a href="{escape(url(region.code))}">{escape(region.name)}</a>'
                         f'<span class="count">{region.speech_count} 篇</span>')
            if region.tree_children:
                parts.append("<ul>")
                walk(region.tree_children)
                parts.append("</ul>")
            parts.append("</li>\n")

    walk(roots)
    return mark_safe("".join(parts))


def _province_counts(roots):
    """{province code: speeches in it and below} from the region tree's roots (a region
    whose province row is missing counts towards its code's province all the same)."""
    counts = {}
    for root in roots:
        if root.level != Region.NATIONAL:
            counts[root.code[:2]] = counts.get(root.code[:2], 0) + root.speech_count
    return counts


def region_list(request):
    published = Speech.objects.published()
    roots = Region.objects.tree_with_counts(published)
    counts = _province_counts(roots)
    context = {
        "roots": roots,
        "tree_html": region_tree_html(roots),
        "unplaced_count": published.filter(region=None).count(),
        # The map only once some province holds a speech: 34 empty tiles say nothing.
        "map": province_map(counts, _region_url_maker()) if any(counts.values()) else None,
        "national_count": sum(root.speech_count for root in roots if root.level == Region.NATIONAL),
    }
    return render(request, "speeches/region_list.html", context)


def region_unknown(request):
    """The speeches whose region could not be told, kept together as honestly unknown."""
    page = _page(request, _listing().filter(region=None).newest_first())
    return render(request, "speeches/region_unknown.html", {"page": page})


def region_detail(request, code):
    region = get_object_or_404(Region.objects.select_related("parent__parent"), code=code)
    speeches = _listing().in_region(region)
    direct = Region.objects.speech_counts(speeches)
    children = []
    for child in region.children.all():
        child.speech_count = sum(n for other, n in direct.items() if other.startswith(child.code))
        if child.speech_count:
            children.append(child)
    context = {
        "region": region,
        "breadcrumbs": region.ancestors(),
        "children": children,
        "total": sum(direct.values()),
        "page": _page(request, speeches.newest_first()),
    }
    return render(request, "speeches/region_detail.html", context)


def topic_list(request):
    context = {
        "topics": _topics_with_counts(),
        "untagged_count": Speech.objects.published().filter(topics=None).count(),
    }
    return render(request, "speeches/topic_list.html", context)


def topic_unclassified(request):
    """The speeches no topic was found for."""
    page = _page(request, _listing().filter(topics=None).newest_first())
    return render(request, "speeches/topic_unclassified.html", {"page": page})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    page = _page(request, _listing().with_topic(topic).newest_first())
    return render(request, "speeches/topic_detail.html", {"topic": topic, "page": page})


def official_list(request):
    officials = (
        Official.objects.annotate(
            speech_count=Count("speeches", filter=PUBLISHED, distinct=True),
            delivered_count=Count(
                "speeches_delivered",
                filter=Q(speeches_delivered__status=Speech.PUBLISHED),
                distinct=True,
            ),
        )
        .filter(Q(speech_count__gt=0) | Q(delivered_count__gt=0))
        .order_by("-speech_count", "-delivered_count", "name", "id")
    )
    page = Paginator(officials, OFFICIALS_PER_PAGE, orphans=3).get_page(request.GET.get("page"))
    return render(request, "speeches/official_list.html", {"page": page})


def official_detail(request, pk):
    official = get_object_or_404(Official.objects.public(), pk=pk)
    speeches = (
        _listing()
        .filter(citations__official=official)
        .distinct()
        .prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.filter(official=official).order_by("offset"),
                to_attr="official_citations",
            )
        )
        .newest_first()
    )
    context = {
        "official": official,
        # The speeches this person gave: a handful (e.g. a premier's work reports), not paged.
        "delivered": _listing().filter(speaker=official).newest_first(),
        "page": _page(request, speeches),
    }
    return render(request, "speeches/official_detail.html", context)


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


def year_list(request):
    years = Speech.objects.published().year_counts()
    histogram = year_histogram(years, lambda year: reverse("speeches:year_detail", args=[year]))
    return render(request, "speeches/year_list.html", {"years": years, "histogram": histogram})


UNKNOWN_YEAR = "unknown"


def parse_year(value):
    """A year from a URL or query: 'unknown' → None (unknown or masked), 1-4 digits → int.
    Anything else raises ValueError."""
    if value == UNKNOWN_YEAR:
        return None
    if 1 <= len(value) <= 4 and value.isascii() and value.isdigit() and int(value) > 0:
        return int(value)
    raise ValueError(f"not a year: {value!r}")


def year_detail(request, year):
    try:
        parsed = parse_year(year)
    except ValueError:
        raise Http404("年份格式不对") from None
    page = _page(request, _listing().in_year(parsed).newest_first())
    return render(request, "speeches/year_detail.html", {"year": parsed, "page": page})

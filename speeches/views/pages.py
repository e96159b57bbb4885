"""Public HTML pages: the home page, speeches, sources and the browse pages.
Query logic lives on SpeechQuerySet; these views pick, paginate and render."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from speeches.models import Citation, Official, Region, Source, Speech, Topic

SPEECHES_PER_PAGE = 20
OFFICIALS_PER_PAGE = 100
# Regions nest by code prefix: province (2 digits), prefecture (4), county (6), township (9, 12).
PUBLISHED = Q(speeches__status=Speech.PUBLISHED)


def _page(request, queryset, per_page=SPEECHES_PER_PAGE):
    # get_page() turns a bad or out-of-range ?page= into the first or last page: never an error.
    return Paginator(queryset, per_page, orphans=3).get_page(request.GET.get("page"))


def _listing():
    return Speech.objects.published().for_listing()


def home(request):
    published = Speech.objects.published()
    context = {
        "speech_count": published.count(),
        "source_count": Source.objects.filter(PUBLISHED).distinct().count(),
        "region_count": published.exclude(region=None).values("region").distinct().count(),
        "topic_count": Topic.objects.filter(PUBLISHED).distinct().count(),
        "official_count": Official.objects.filter(PUBLISHED).distinct().count(),
        "latest": _listing().newest_first()[:10],
    }
    return render(request, "speeches/home.html", context)


def speech_list(request):
    page = _page(request, _listing().newest_first())
    return render(request, "speeches/speech_list.html", {"page": page})


def _reading_paragraphs(speech, sections):
    """Paragraphs to render: anchors of the sections starting in each, and the section's
    own number and heading split off when the paragraph opens with them, to set in bold."""
    paragraphs = []
    for index, text, starting in speech.paragraphs_with_sections(sections):
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
            }
        )
    return paragraphs


def speech_detail(request, uid):
    speech = get_object_or_404(
        # region__parent__parent: the breadcrumb (county → prefecture → province) without more queries.
        Speech.objects.select_related("source", "region__parent__parent", "merged_into", "speaker"),
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
    officials = []
    for citation in speech.citations.select_related("official"):
        if citation.official not in officials:
            officials.append(citation.official)
    same_source = []
    if speech.source_id:
        same_source = list(
            speech.source.speeches.published().exclude(pk=speech.pk).order_by("position", "id")
        )
    context = {
        "speech": speech,
        "breadcrumbs": speech.region.ancestors() if speech.region else [],
        "topics": list(speech.topics.all()),
        "sections": sections,
        "paragraphs": _reading_paragraphs(speech, sections),
        "officials": officials,
        "same_source": same_source,
    }
    return render(request, "speeches/speech_detail.html", context)


def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    speeches = _listing().filter(source=source).order_by("position", "id")
    if not speeches.exists():
        # A source whose speeches are all unpublished has nothing public to show.
        raise Http404("来源不存在")
    return render(request, "speeches/source_detail.html", {"source": source, "speeches": speeches})


def region_list(request):
    roots = Region.objects.tree_with_counts(Speech.objects.published())
    unplaced = Speech.objects.published().filter(region=None).count()
    return render(
        request, "speeches/region_list.html", {"roots": roots, "unplaced_count": unplaced}
    )


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
    topics = (
        Topic.objects.annotate(speech_count=Count("speeches", filter=PUBLISHED, distinct=True))
        .filter(speech_count__gt=0)
        .order_by("-speech_count", "name")
    )
    return render(request, "speeches/topic_list.html", {"topics": topics})


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
    official = get_object_or_404(Official, pk=pk)
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


def year_list(request):
    years = Speech.objects.published().year_counts()
    return render(request, "speeches/year_list.html", {"years": years})


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

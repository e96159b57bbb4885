"""Public HTML pages: the home page, speeches, sources and the browse pages.
Query logic lives on SpeechQuerySet; these views pick, paginate and render."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from speeches.models import BrowseCount, Citation, Official, Region, Source, Speech, Topic
from speeches.province_map import province_map
from speeches.search import related_speeches
from speeches.templatetags.region_tree import region_url_maker
from speeches.views.paging import page_of, rows_by_id
from speeches.views.reuse import reuse_context
from speeches.years import parse_year, year_histogram

RELATED_COUNT = 5
SAME_SOURCE_SHOWN = 20
OFFICIALS_PER_PAGE = 100


def _listing():
    # Lists show titles and facts, never the text: leaving out the long columns keeps
    # sorting cheap (national reports run to tens of thousands of characters).
    return Speech.objects.published().for_listing()


# The browse pages read the kept counts (BrowseCount, speeches/counts.py): none counts
# the archive on a request, so they cost the same at 1,000 speeches and at 100,000.


def home(request):
    totals = BrowseCount.objects.totals(
        BrowseCount.ALL, BrowseCount.UNPLACED, BrowseCount.UNTAGGED, *BrowseCount.DISTINCT.values()
    )
    context = {
        # Provinces (and the country) and topics right on the home page: a speech is then
        # two clicks away, its region's or topic's page and the speech itself.
        "top_regions": Region.objects.tree_with_counts(roots_only=True),
        "unplaced_count": totals[BrowseCount.UNPLACED],
        "topics": Topic.objects.with_speech_counts(),
        "untagged_count": totals[BrowseCount.UNTAGGED],
        "speech_count": totals[BrowseCount.ALL],
        "source_count": totals[BrowseCount.DISTINCT[BrowseCount.SOURCE]],
        "region_count": totals[BrowseCount.DISTINCT[BrowseCount.REGION]],
        "topic_count": totals[BrowseCount.DISTINCT[BrowseCount.TOPIC]],
        "official_count": totals[BrowseCount.DISTINCT[BrowseCount.OFFICIAL]],
        "latest": rows_by_id(_listing().newest_first(), 0, 10),
    }
    return render(request, "speeches/home.html", context)


def speech_list(request):
    page = page_of(request, _listing().newest_first(), count=BrowseCount.objects.count_of(BrowseCount.ALL))
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
    if speech.is_merged_copy:
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
        # The source's kept count holds this speech too (public: merged copies redirected above).
        same_source_count = (
            len(same_source) if len(same_source) <= SAME_SOURCE_SHOWN
            else BrowseCount.objects.count_of(BrowseCount.SOURCE, speech.source_id) - 1
        )
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
    context.update(reuse_context(speech, context["paragraphs"]))
    return render(request, "speeches/speech_detail.html", context)


def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    speeches = _listing().filter(source=source).order_by("position", "id")
    if not speeches.exists():
        # A source whose speeches are all unpublished has nothing public to show.
        raise Http404("来源不存在")
    return render(request, "speeches/source_detail.html", {"source": source, "speeches": speeches})


def _province_counts(roots):
    """{province code: speeches in it and below} from the region tree's roots (a region
    whose province row is missing counts towards its code's province all the same)."""
    counts = {}
    for root in roots:
        if root.level != Region.NATIONAL:
            province = Region.province_code(root.code)
            counts[province] = counts.get(province, 0) + root.speech_count
    return counts


def region_list(request):
    roots = Region.objects.tree_with_counts()
    counts = _province_counts(roots)
    context = {
        "roots": roots,
        "unplaced_count": BrowseCount.objects.count_of(BrowseCount.UNPLACED),
        # The map only once some province holds a speech: 34 empty tiles say nothing.
        "map": province_map(counts, region_url_maker()) if any(counts.values()) else None,
        "national_count": sum(root.speech_count for root in roots if root.level == Region.NATIONAL),
    }
    return render(request, "speeches/region_list.html", context)


def region_unknown(request):
    """The speeches whose region could not be told, kept together as honestly unknown."""
    page = page_of(
        request, _listing().filter(region=None).newest_first(), count=BrowseCount.objects.count_of(BrowseCount.UNPLACED)
    )
    return render(request, "speeches/region_unknown.html", {"page": page})


def region_detail(request, code):
    region = get_object_or_404(Region.objects.select_related("parent__parent"), code=code)
    direct = Region.objects.filter(code__startswith=region.code).speech_counts()
    children = []
    for child in region.children.all():
        child.speech_count = sum(n for other, n in direct.items() if other.startswith(child.code))
        if child.speech_count:
            children.append(child)
    total = sum(direct.values())
    context = {
        "region": region,
        "breadcrumbs": region.ancestors(),
        "children": children,
        "total": total,
        "page": page_of(request, _listing().in_region(region).newest_first(), count=total),
    }
    return render(request, "speeches/region_detail.html", context)


def topic_list(request):
    context = {
        "topics": Topic.objects.with_speech_counts(),
        "untagged_count": BrowseCount.objects.count_of(BrowseCount.UNTAGGED),
    }
    return render(request, "speeches/topic_list.html", context)


def topic_unclassified(request):
    """The speeches no topic was found for."""
    page = page_of(
        request, _listing().filter(topics=None).newest_first(), count=BrowseCount.objects.count_of(BrowseCount.UNTAGGED)
    )
    return render(request, "speeches/topic_unclassified.html", {"page": page})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    page = page_of(
        request,
        _listing().with_topic(topic).newest_first(),
        count=BrowseCount.objects.count_of(BrowseCount.TOPIC, topic.pk),
    )
    return render(request, "speeches/topic_detail.html", {"topic": topic, "page": page})


def official_list(request):
    officials = Official.objects.with_speech_counts().order_by("-speech_count", "-delivered_count", "name", "id")
    page = Paginator(officials, OFFICIALS_PER_PAGE, orphans=3).get_page(request.GET.get("page"))
    return render(request, "speeches/official_list.html", {"page": page})


def official_detail(request, pk):
    official = get_object_or_404(Official.objects.public(), pk=pk)
    speeches = _listing().filter(citations__official=official).distinct().newest_first()
    # Each speech of the page with the sentences citing this person.
    rows = Speech.objects.for_listing().prefetch_related(
        Prefetch(
            "citations",
            queryset=Citation.objects.filter(official=official).order_by("offset"),
            to_attr="official_citations",
        )
    )
    context = {
        "official": official,
        # The speeches this person gave: a handful (e.g. a premier's work reports), not paged.
        "delivered": _listing().filter(speaker=official).newest_first(),
        "page": page_of(request, speeches, rows=rows),
    }
    return render(request, "speeches/official_detail.html", context)


def year_list(request):
    years = BrowseCount.objects.years()
    histogram = year_histogram(years, lambda year: reverse("speeches:year_detail", args=[year]))
    return render(request, "speeches/year_list.html", {"years": years, "histogram": histogram})


def year_detail(request, year):
    try:
        parsed = parse_year(year)
    except ValueError:
        raise Http404("年份格式不对") from None
    page = page_of(
        request,
        _listing().in_year(parsed).newest_first(),
        count=BrowseCount.objects.count_of(BrowseCount.YEAR, parsed or 0),
    )
    return render(request, "speeches/year_detail.html", {"year": parsed, "page": page})

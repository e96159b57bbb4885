"""The public JSON API: published speeches, listed (with filters) and one by one.
Field names are a contract; errors are JSON with an "error" message, never a 500."""

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from speeches import serializers
from speeches.models import Official, Region, Speech, Topic
from speeches.openapi import openapi_document
from speeches.throttle import throttled
from speeches.years import parse_year

API_PAGE_SIZE = 20


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(message, status):
    return _json({"error": message}, status=status)


class BadFilter(ValueError):
    """A filter value of the wrong form (400)."""


class UnknownFilter(LookupError):
    """A well-formed filter naming nothing in the archive (404)."""


def _filtered(params):
    """Published speeches narrowed by ?region=<code>&topic=<slug>&year=<year|unknown>&speaker=<id>."""
    speeches = Speech.objects.published().for_listing()
    if params.get("region"):
        region = Region.objects.filter(code=params["region"]).first()
        if region is None:
            raise UnknownFilter(f"未知的地区代码：{params['region']}")
        speeches = speeches.in_region(region)
    if params.get("topic"):
        topic = Topic.objects.filter(slug=params["topic"]).first()
        if topic is None:
            raise UnknownFilter(f"未知的主题：{params['topic']}")
        speeches = speeches.with_topic(topic)
    if params.get("speaker"):
        value = params["speaker"]
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise BadFilter(f"讲话人编号应为数字:{value[:20]}")
        speaker = Official.objects.public().filter(pk=int(value)).first()
        if speaker is None:
            raise UnknownFilter(f"没有编号为 {value} 的讲话人")
        speeches = speeches.filter(speaker=speaker)
    if params.get("year"):
        try:
            year = parse_year(params["year"])
        except ValueError:
            raise BadFilter(f"年份应为四位数字或 unknown:{params['year']}") from None
        speeches = speeches.in_year(year)
    return speeches.newest_first()


def _page_url(request, number):
    params = request.GET.copy()
    params["page"] = number
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


@require_safe
@throttled
def speech_list(request):
    try:
        speeches = _filtered(request.GET)
    except BadFilter as error:
        return _error(str(error), 400)
    except UnknownFilter as error:
        return _error(str(error), 404)
    return _paginated(request, speeches, API_PAGE_SIZE, serializers.speech_summary)


def _paginated(request, queryset, per_page, serialize):
    """A JSON page of `queryset` (?page=N), with links to its neighbours; 404 past the end."""
    paginator = Paginator(queryset, per_page)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage:
        return _error(f"没有这一页：{request.GET.get('page')}（共 {paginator.num_pages} 页）", 404)
    return _json(
        {
            "count": paginator.count,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": (
                _page_url(request, page.previous_page_number()) if page.has_previous() else None
            ),
            "page": page.number,
            "results": [serialize(item) for item in page.object_list],
        }
    )


@require_safe
@throttled
def speech_detail(request, uid):
    speech = (
        Speech.objects.select_related("region", "source", "speaker")
        .prefetch_related("topics", "sections")
        .filter(uid=uid)
        .first()
    )
    if speech is None:
        return _error(f"没有编号为 {uid} 的讲话", 404)
    if speech.is_merged_copy:
        return redirect(
            reverse("speeches:api_speech_detail", args=[speech.merged_into.uid]), permanent=True
        )
    if not speech.is_public:
        return _error(f"编号为 {uid} 的讲话未公开", 404)

    return _json(serializers.speech_detail(speech))


def _region_node(region):
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "count": region.speech_count,
        "url": region.get_absolute_url(),
        "children": [_region_node(child) for child in region.tree_children],
    }


@require_safe
@throttled
def region_tree(request):
    """Regions holding published speeches, province → prefecture → county, with counts
    that include sub-regions."""
    roots = Region.objects.tree_with_counts()
    return _json({"results": [_region_node(root) for root in roots]})


@require_safe
@throttled
def topic_list(request):
    topics = Topic.objects.with_speech_counts()
    return _json(
        {
            "results": [
                {"name": t.name, "slug": t.slug, "count": t.speech_count, "url": t.get_absolute_url()}
                for t in topics
            ]
        }
    )


OFFICIALS_PAGE_SIZE = 100


@require_safe
@throttled
def official_list(request):
    officials = (
        Official.objects.annotate(
            count=Count("speeches", filter=Q(speeches__status=Speech.PUBLISHED), distinct=True)
        )
        .filter(count__gt=0)
        .order_by("-count", "name", "id")
    )
    return _paginated(request, officials, OFFICIALS_PAGE_SIZE, _official)


def _official(official):
    return {
        "id": official.pk,
        "name": official.name,
        "title": official.title,
        "organisation": official.organisation,
        "count": official.count,
        "url": official.get_absolute_url(),
    }


@require_safe
def schema(request):
    """The OpenAPI description of this API."""
    return _json(openapi_document(request.build_absolute_uri("/")))

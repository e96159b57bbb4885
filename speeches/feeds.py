"""RSS feeds of new speeches: all, and per region, topic and official."""

from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape

from speeches.export import xml_safe
from speeches.models import Official, Region, Speech, Topic
from speeches.search import SearchRequest, matching_ids
from speeches.throttle import SEARCH, refusal
from speeches.views.paging import rows_by_id

FEED_SIZE = 30
SUMMARY_CHARS = 300


class ArchiveRss(Rss201rev2Feed):
    """RSS 2.0 of plain texts. Readers render descriptions as HTML, so they are escaped
    here (the XML writer escapes once more); titles and categories are plain text.
    Characters XML cannot carry (a form feed in a stored text, a control character typed
    into a search) are replaced: they would otherwise fail the whole feed."""

    def __init__(self, title, link, description, **kwargs):
        super().__init__(xml_safe(title), link, escape(xml_safe(description)), **kwargs)

    def add_item(self, title, link, description, **kwargs):
        kwargs["categories"] = [xml_safe(c) for c in kwargs.get("categories") or ()]
        super().add_item(xml_safe(title), link, escape(xml_safe(description)), **kwargs)


class LatestSpeechesFeed(Feed):
    feed_type = ArchiveRss
    title = "领导讲话档案：最新讲话"
    description = "档案中新收录的讲话"

    def __call__(self, request, *args, **kwargs):
        # Feeds share the search page's limit (one of them is any search).
        return refusal(request, SEARCH) or super().__call__(request, *args, **kwargs)

    def link(self):
        return reverse("speeches:speech_list")

    def speeches(self, obj):
        """The speeches of the feed (items() reads their rows as listings show them)."""
        return Speech.objects.published()

    def items(self, obj=None):
        # The ids off the index of arrivals, then those rows: sorting whole rows made SQLite
        # read every speech's text (1.3 s at 100,000 speeches). One character more than shown
        # tells whether the text goes on.
        return rows_by_id(
            self.speeches(obj).order_by("-created_at", "-id"), 0, FEED_SIZE,
            rows=Speech.objects.for_listing().with_summary(SUMMARY_CHARS + 1),
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Plain text; ArchiveRss escapes it.
        summary = item.summary.replace("\n", " ")
        return summary[:SUMMARY_CHARS] + ("……" if len(summary) > SUMMARY_CHARS else "")

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]


class RegionSpeechesFeed(LatestSpeechesFeed):
    def get_object(self, request, code):
        return get_object_or_404(Region, code=code)

    def title(self, obj):
        return f"领导讲话档案：{obj.name}的讲话"

    def description(self, obj):
        return f"{obj.name}及其下辖地区新收录的讲话"

    def link(self, obj):
        return obj.get_absolute_url()

    def speeches(self, obj):
        return super().speeches(obj).in_region(obj)


class TopicSpeechesFeed(LatestSpeechesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj):
        return f"领导讲话档案：主题“{obj.name}”"

    def description(self, obj):
        return f"主题“{obj.name}”下新收录的讲话"

    def link(self, obj):
        return obj.get_absolute_url()

    def speeches(self, obj):
        return super().speeches(obj).with_topic(obj)


class OfficialSpeechesFeed(LatestSpeechesFeed):
    def get_object(self, request, pk):
        return get_object_or_404(Official.objects.public(), pk=pk)

    def title(self, obj):
        return f"领导讲话档案：提及{obj.name}的讲话"

    def description(self, obj):
        return f"新收录的提及{obj.name}的讲话"

    def link(self, obj):
        return obj.get_absolute_url()

    def speeches(self, obj):
        return super().speeches(obj).filter(citations__official=obj).distinct()


class SearchFeed(LatestSpeechesFeed):
    """Any search as a feed: /feeds/search/?q=知识产权&region=62 — newest matches first."""

    def get_object(self, request):
        return SearchRequest.from_params(request.GET)

    def title(self, obj):
        return f"领导讲话档案：搜索“{obj.q}”" if obj.q else "领导讲话档案：搜索"

    def description(self, obj):
        return f"新收录的、与“{obj.q}”相符的讲话（没有讲话含有完整检索词时，为含有其中词语的讲话）"

    def link(self, obj):
        return reverse("speeches:search") + (f"?{urlencode({'q': obj.q})}" if obj.q else "")

    def speeches(self, obj):
        return super().speeches(obj).filter(pk__in=matching_ids(obj))

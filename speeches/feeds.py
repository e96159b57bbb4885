"""RSS feeds of new speeches: all, and per region, topic and official."""

import re
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape

from speeches.models import Official, Region, Speech, Topic
from speeches.search import SearchRequest, matching_ids

FEED_SIZE = 30
SUMMARY_CHARS = 300
# Characters XML 1.0 cannot carry: one stray form feed in an imported text, or a control
# character typed into a search, would otherwise fail the whole feed.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value):
    return _NOT_XML.sub(" ", value) if isinstance(value, str) else value


class ArchiveRss(Rss201rev2Feed):
    """RSS 2.0 of plain texts. Readers render descriptions as HTML, so they are escaped
    here (the XML writer escapes once more); titles and categories are plain text."""

    def __init__(self, title, link, description, **kwargs):
        super().__init__(_xml_text(title), link, escape(_xml_text(description)), **kwargs)

    def add_item(self, title, link, description, **kwargs):
        kwargs["categories"] = [_xml_text(c) for c in kwargs.get("categories") or ()]
        super().add_item(_xml_text(title), link, escape(_xml_text(description)), **kwargs)


class LatestSpeechesFeed(Feed):
    feed_type = ArchiveRss
    title = "领导讲话档案:最新讲话"
    description = "档案中新收录的讲话"

    def link(self):
        return reverse("speeches:speech_list")

    def speeches(self, obj):
        return Speech.objects.published().for_listing()

    def items(self, obj=None):
        return self.speeches(obj).order_by("-created_at", "-id")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Plain text; ArchiveRss escapes it.
        summary = item.body.replace("\n", " ")
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
        return f"领导讲话档案:{obj.name}的讲话"

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
        return f"领导讲话档案:主题“{obj.name}”"

    def description(self, obj):
        return f"主题“{obj.name}”下新收录的讲话"

    def link(self, obj):
        return obj.get_absolute_url()

    def speeches(self, obj):
        return super().speeches(obj).with_topic(obj)


class OfficialSpeechesFeed(LatestSpeechesFeed):
    def get_object(self, request, pk):
        return get_object_or_404(Official, pk=pk)

    def title(self, obj):
        return f"领导讲话档案:提及{obj.name}的讲话"

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
        return f"领导讲话档案:搜索“{obj.q}”" if obj.q else "领导讲话档案:搜索"

    def description(self, obj):
        return f"新收录的、与“{obj.q}”相符的讲话(没有讲话含有完整检索词时,为含有其中词语的讲话)"

    def link(self, obj):
        return reverse("speeches:search") + (f"?{urlencode({'q': obj.q})}" if obj.q else "")

    def speeches(self, obj):
        return super().speeches(obj).filter(pk__in=matching_ids(obj))

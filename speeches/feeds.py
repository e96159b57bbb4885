"""RSS feeds of new speeches: all, and per region, topic and official."""

from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from speeches.models import Official, Region, Speech, Topic
from speeches.search import SearchRequest, matching_ids

FEED_SIZE = 30
SUMMARY_CHARS = 300


class LatestSpeechesFeed(Feed):
    feed_type = Rss201rev2Feed
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
        # Plain text; the syndication framework escapes it.
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
        return f"新收录的、与“{obj.q}”相符的讲话"

    def link(self, obj):
        return reverse("speeches:search") + (f"?{urlencode({'q': obj.q})}" if obj.q else "")

    def speeches(self, obj):
        return super().speeches(obj).filter(pk__in=matching_ids(obj))

"""sitemap.xml: every published speech and the browse pages that have speeches."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from speeches.models import Official, Region, Speech, Topic


class SpeechSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Speech.objects.published().order_by("id").only("uid", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class BrowseSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        published = Speech.objects.published()
        regions = Region.objects.filter(speeches__in=published).distinct().order_by("code")
        topics = Topic.objects.filter(speeches__in=published).distinct().order_by("slug")
        officials = Official.objects.filter(speeches__in=published).distinct().order_by("id")
        return [*regions, *topics, *officials]


class StaticPagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "speech_list", "region_list", "topic_list", "official_list", "year_list"]

    def location(self, item):
        return reverse(f"speeches:{item}")


SITEMAPS = {"pages": StaticPagesSitemap, "speeches": SpeechSitemap, "browse": BrowseSitemap}

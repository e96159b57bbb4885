from django.contrib.sitemaps.views import sitemap
from django.urls import path

from speeches import feeds
from speeches.sitemaps import SITEMAPS
from speeches.views import api, export, health, pages, reuse, root_files, search, trends

app_name = "speeches"

urlpatterns = [
    path("", pages.home, name="home"),
    path("speeches/", pages.speech_list, name="speech_list"),
    path("speeches/<str:uid>/", pages.speech_detail, name="speech_detail"),
    path("speeches/<str:uid>/export.txt", export.speech_text, name="speech_text"),
    path("speeches/<str:uid>/export.docx", export.speech_docx, name="speech_docx"),
    path("compare/<str:first>/<str:second>/", reuse.compare_page, name="compare"),
    path("sources/<int:pk>/", pages.source_detail, name="source_detail"),
    path("regions/", pages.region_list, name="region_list"),
    # Before the code/slug patterns: the speeches no region or no topic was found for.
    path("regions/unknown/", pages.region_unknown, name="region_unknown"),
    path("regions/<str:code>/", pages.region_detail, name="region_detail"),
    path("topics/", pages.topic_list, name="topic_list"),
    path("topics/unclassified/", pages.topic_unclassified, name="topic_unclassified"),
    path("topics/<slug:slug>/", pages.topic_detail, name="topic_detail"),
    path("officials/", pages.official_list, name="official_list"),
    path("officials/<int:pk>/", pages.official_detail, name="official_detail"),
    path("years/", pages.year_list, name="year_list"),
    path("years/<str:year>/", pages.year_detail, name="year_detail"),
    path("search/", search.search_page, name="search"),
    path("trends/", trends.trends_page, name="trends"),
    path("api/speeches/", api.speech_list, name="api_speech_list"),
    path("api/speeches/<str:uid>/", api.speech_detail, name="api_speech_detail"),
    path("api/speeches/<str:uid>/reuse/", reuse.speech_reuse_api, name="api_speech_reuse"),
    path("api/search/", search.search_api, name="api_search"),
    path("api/trends/", trends.trends_api, name="api_trends"),
    path("api/regions/", api.region_tree, name="api_regions"),
    path("api/topics/", api.topic_list, name="api_topics"),
    path("api/officials/", api.official_list, name="api_officials"),
    path("api/schema/", api.schema, name="api_schema"),
    path("feeds/latest/", feeds.LatestSpeechesFeed(), name="feed_latest"),
    path("feeds/regions/<str:code>/", feeds.RegionSpeechesFeed(), name="feed_region"),
    path("feeds/topics/<slug:slug>/", feeds.TopicSpeechesFeed(), name="feed_topic"),
    path("feeds/officials/<int:pk>/", feeds.OfficialSpeechesFeed(), name="feed_official"),
    path("feeds/search/", feeds.SearchFeed(), name="feed_search"),
    path("healthz", health.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", root_files.robots_txt, name="robots_txt"),
    path("favicon.ico", root_files.favicon, name="favicon"),
]

"""Plain admin pages for every record, so curators can look up and correct anything."""

from django.contrib import admin
from django.db import models
from django.db.models import Count

from speeches.models import (
    Citation,
    Official,
    PendingIndexUpdate,
    Region,
    RegionMention,
    ReviewItem,
    Section,
    Source,
    Speech,
    SpeechTopic,
    Topic,
)


class SpeechInline(admin.TabularInline):
    model = Speech
    fields = ["position", "title", "status", "kind", "year"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Speeches come from the importer; a source's page only lists them.
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "path", "author", "published_at", "speech_count", "imported_at"]
    list_filter = ["imported_at", "encoding"]
    search_fields = ["title", "path", "author", "raw_sha256"]
    date_hierarchy = "imported_at"
    readonly_fields = ["raw_sha256", "encoding", "imported_at", "updated_at"]
    inlines = [SpeechInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(speech_total=Count("speeches"))

    @admin.display(description="讲话数", ordering="speech_total")
    def speech_count(self, source):
        return source.speech_total


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "number", "heading", "level", "start", "end"]
    extra = 0


class CitationInline(admin.TabularInline):
    model = Citation
    fields = ["official", "mention", "title_as_written", "offset", "sentence", "confidence"]
    autocomplete_fields = ["official"]
    extra = 0


class SpeechTopicInline(admin.TabularInline):
    model = SpeechTopic
    fields = ["topic", "score"]
    autocomplete_fields = ["topic"]
    extra = 0


@admin.register(Speech)
class SpeechAdmin(admin.ModelAdmin):
    list_display = ["title", "uid", "display_year", "region", "kind", "status", "source"]
    list_filter = ["status", "kind", "year_masked", "year"]
    search_fields = ["title", "uid", "region__name", "source__title"]
    list_select_related = ["region", "source"]
    autocomplete_fields = ["region", "speaker"]
    raw_id_fields = ["source", "merged_into"]
    readonly_fields = ["uid", "content_hash", "created_at", "updated_at"]
    # An address typed without a scheme is taken as https (Django 6's default, said now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SectionInline, CitationInline, SpeechTopicInline]
    fieldsets = [
        (None, {"fields": ["uid", "title", "status", "kind", "speaker", "body"]}),
        ("时间与地区", {"fields": ["date", "year", "year_masked", "region", "region_confidence"]}),
        (
            "来源",
            {"fields": ["source", "position", "url", "copies", "merged_into", "content_hash"]},
        ),
        (
            "提取与导入",
            {"fields": ["keywords", "import_log", "locked_fields", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(description="年份")
    def display_year(self, speech):
        return speech.display_year


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "speech", "order", "level", "start", "end"]
    list_filter = ["level"]
    search_fields = ["heading", "number", "speech__title", "speech__uid"]
    list_select_related = ["speech"]
    raw_id_fields = ["speech"]


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organisation", "name_is_partial", "citation_count"]
    list_filter = ["name_is_partial"]
    search_fields = ["name", "title", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations"))

    @admin.display(description="提及次数", ordering="citation_total")
    def citation_count(self, official):
        return official.citation_total


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["mention", "official", "speech", "title_as_written", "confidence"]
    search_fields = ["mention", "sentence", "official__name", "speech__title", "speech__uid"]
    list_select_related = ["official", "speech"]
    raw_id_fields = ["speech"]
    autocomplete_fields = ["official"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "speech_count"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(speech_total=Count("speeches"))

    @admin.display(description="讲话数", ordering="speech_total")
    def speech_count(self, topic):
        return topic.speech_total


@admin.register(SpeechTopic)
class SpeechTopicAdmin(admin.ModelAdmin):
    list_display = ["speech", "topic", "score"]
    list_filter = ["topic"]
    search_fields = ["speech__title", "speech__uid", "topic__name"]
    list_select_related = ["speech", "topic"]
    raw_id_fields = ["speech"]
    autocomplete_fields = ["topic"]


@admin.register(PendingIndexUpdate)
class PendingIndexUpdateAdmin(admin.ModelAdmin):
    list_display = ["speech_id", "enqueued_at"]
    search_fields = ["speech_id"]
    date_hierarchy = "enqueued_at"


@admin.register(RegionMention)
class RegionMentionAdmin(admin.ModelAdmin):
    list_display = ["mention", "region", "speech", "is_primary", "offset"]
    list_filter = ["is_primary"]
    search_fields = ["mention", "region__name", "region__code", "speech__title", "speech__uid"]
    list_select_related = ["region", "speech"]
    raw_id_fields = ["speech"]
    autocomplete_fields = ["region"]


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    list_display = ["value", "field", "speech", "confidence", "status", "decided_by", "decided_at"]
    list_filter = ["status", "field"]
    search_fields = ["value", "reason", "speech__title", "speech__uid"]
    list_select_related = ["speech", "decided_by"]
    raw_id_fields = ["speech", "decided_by"]
    readonly_fields = ["created_at"]
    actions = ["accept_items", "reject_items"]

    @admin.action(description="确认所选抽取结果")
    def accept_items(self, request, queryset):
        from speeches.extract.review import apply_decision

        for item in queryset.select_related("speech"):
            apply_decision(item, ReviewItem.ACCEPTED, request.user)

    @admin.action(description="否决所选抽取结果(重新抽取时不再采用)")
    def reject_items(self, request, queryset):
        from speeches.extract.review import apply_decision

        for item in queryset.select_related("speech"):
            apply_decision(item, ReviewItem.REJECTED, request.user)

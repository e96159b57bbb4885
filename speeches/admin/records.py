"""The records extraction and the importer write: officials and citations, regions and
topics with their assignments, region mentions, text fingerprints, the index queue."""

from django.contrib import admin
from django.db.models import Count

from speeches.admin.common import NamedAutocompleteMixin, ReadOnlyAdmin, yes_no
from speeches.admin.forms import (
    TopicAdminForm,
)
from speeches.extract import queue as extraction_queue
from speeches.models import (
    BrowseCount,
    Citation,
    CountedSpeech,
    Official,
    PendingExtraction,
    PendingIndexUpdate,
    Region,
    RegionMention,
    SimilarityKey,
    SpeechTopic,
    Topic,
)


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organisation", "partial_name", "citation_count"]
    list_filter = ["name_is_partial"]
    search_fields = ["name", "title", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations"))

    @admin.display(description="提及次数", ordering="citation_total")
    def citation_count(self, official):
        return official.citation_total

    @admin.display(description="姓名不完整", ordering="name_is_partial")
    def partial_name(self, official):
        return yes_no(official.name_is_partial)


@admin.register(Citation)
class CitationAdmin(NamedAutocompleteMixin, admin.ModelAdmin):
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
    form = TopicAdminForm
    list_display = ["name", "speech_count"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(speech_total=Count("speeches"))

    @admin.display(description="讲话数", ordering="speech_total")
    def speech_count(self, topic):
        return topic.speech_total


@admin.register(SpeechTopic)
class SpeechTopicAdmin(NamedAutocompleteMixin, admin.ModelAdmin):
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


@admin.register(PendingExtraction)
class PendingExtractionAdmin(admin.ModelAdmin):
    """Speeches stored and indexed whose extraction has not run yet (or failed): the job
    worker or `manage.py extract_pending` drains them."""

    list_display = ["speech", "enqueued_at", "claimed_by", "error"]
    list_select_related = ["speech"]
    search_fields = ["speech__title", "=speech__uid", "error"]
    readonly_fields = ["speech", "enqueued_at", "claimed_by", "claimed_at", "error"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="把所选的失败讲话放回队列，重新抽取", permissions=["change"])
    def retry(self, request, queryset):
        count = extraction_queue.retry_failed(queryset)
        self.message_user(request, f"{count} 篇讲话已放回抽取队列。")


@admin.register(SimilarityKey)
class SimilarityKeyAdmin(ReadOnlyAdmin):
    """The importer's text fingerprints (near-duplicate search): read, never edited."""

    list_display = ["key", "speech"]
    search_fields = ["=key", "speech__uid", "speech__title"]
    list_select_related = ["speech"]
    raw_id_fields = ["speech"]


# The browse pages' counts (speeches/counts.py), read here; a row deleted by hand would
# leave them wrong: `manage.py check_counts --repair` recounts them.


@admin.register(BrowseCount)
class BrowseCountAdmin(ReadOnlyAdmin):
    list_display = ["kind", "key", "count"]
    list_filter = ["kind"]
    search_fields = ["=key"]


@admin.register(CountedSpeech)
class CountedSpeechAdmin(ReadOnlyAdmin):
    list_display = ["speech_id", "keys_label"]
    fields = ["speech_id", "keys_label"]
    readonly_fields = fields
    search_fields = ["=speech_id"]

    @admin.display(description="计数键")
    def keys_label(self, counted):
        # The kinds by their names (地区 31；年份 2024), not the stored codes.
        names = dict(BrowseCount.KINDS)
        return "；".join(f"{names.get(kind, kind)} {key}" for kind, key in counted.keys) or "—"


@admin.register(RegionMention)
class RegionMentionAdmin(NamedAutocompleteMixin, admin.ModelAdmin):
    list_display = ["mention", "region", "speech", "primary", "offset"]
    list_filter = ["is_primary"]
    search_fields = ["mention", "region__name", "region__code", "speech__title", "speech__uid"]
    list_select_related = ["region", "speech"]
    raw_id_fields = ["speech"]
    autocomplete_fields = ["region"]

    @admin.display(description="主要地区", ordering="is_primary")
    def primary(self, mention):
        return yes_no(mention.is_primary)

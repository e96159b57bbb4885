"""Shared passages: read-only, written by the passage finder (speeches.reuse)."""

from django.contrib import admin

from speeches.models import (
    PassageChunk,
    PendingPassageUpdate,
    SharedPassage,
)


@admin.register(SharedPassage)
class SharedPassageAdmin(admin.ModelAdmin):
    """Found by manage.py find_shared_passages; the overview is the speeches' shared-passages page."""

    list_display = ["__str__", "speech_count", "found_at"]
    search_fields = ["text"]
    readonly_fields = ["text", "speech_count", "found_at"]


@admin.register(PassageChunk)
class PassageChunkAdmin(admin.ModelAdmin):
    list_display = ["speech", "start", "end", "passage"]
    raw_id_fields = ["speech", "passage"]
    readonly_fields = ["start", "end", "shared_start", "shared_end"]
    search_fields = ["speech__title"]


@admin.register(PendingPassageUpdate)
class PendingPassageUpdateAdmin(admin.ModelAdmin):
    list_display = ["speech_id", "enqueued_at"]
    search_fields = ["speech_id"]

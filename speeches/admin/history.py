"""The archive-wide change log: every recorded change, read only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from speeches.admin.common import ReadOnlyAdmin, yes_no
from speeches.models import (
    Citation,
    Speech,
    SpeechTopic,
)


class ChangeRecordAdmin(ReadOnlyAdmin):
    """Every recorded change across the archive: who, what, when. Reverting happens on
    the speech's own history page."""

    list_display = ["history_date", "history_user", "history_type", "__str__", "history_change_reason"]
    list_filter = ["history_type", "history_date"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"


@admin.register(Speech.history.model)
class SpeechChangeAdmin(ChangeRecordAdmin):
    list_display = [*ChangeRecordAdmin.list_display, "history_link"]
    search_fields = ["title", "uid", "history_user__username"]
    exclude = ["year_masked"]
    readonly_fields = ["masked_year"]

    @admin.display(description=Speech._meta.get_field("year_masked").verbose_name)
    def masked_year(self, record):
        return yes_no(record.year_masked)

    @admin.display(description="讲话的修改历史")
    def history_link(self, record):
        return format_html(
            '<a href="{}">查看与撤销</a>', reverse("admin:speeches_speech_history", args=[record.id])
        )


@admin.register(SpeechTopic.history.model)
class SpeechTopicChangeAdmin(ChangeRecordAdmin):
    search_fields = ["speech__title", "speech__uid", "topic__name", "history_user__username"]


@admin.register(Citation.history.model)
class CitationChangeAdmin(ChangeRecordAdmin):
    search_fields = ["mention", "speech__title", "speech__uid", "history_user__username"]

"""The review queue: accept, reject or fix what extraction and the importer were unsure of."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from speeches.admin.common import admin_context
from speeches.admin.forms import (
    fix_form_class,
)
from speeches.curation import review
from speeches.models import (
    ReviewItem,
)


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    """The review queue: doubtful extractions and what the importer did (repairs, merged
    copies, equal texts). Approve keeps the value, reject drops it, fix sets the right one;
    every decision is kept across re-imports."""

    change_list_template = "admin/speeches/reviewitem/change_list.html"
    list_display = ["value_label", "field", "speech_link", "confidence", "reason", "status", "decision", "fix_link"]
    list_filter = ["status", "field"]
    search_fields = ["value", "reason", "speech__title", "speech__uid"]
    list_select_related = ["speech", "decided_by"]
    raw_id_fields = ["speech", "decided_by"]
    readonly_fields = ["created_at"]
    actions = ["accept_items", "reject_items"]

    def get_queryset(self, request):
        return review.with_value_labels(super().get_queryset(request))

    @admin.display(description="抽取值", ordering="value")
    def value_label(self, item):
        return review.value_label(item)

    @admin.display(description="审核人与时间", ordering="decided_at")
    def decision(self, item):
        if item.decided_at is None:
            return "—"
        when = date_format(timezone.localtime(item.decided_at), "SHORT_DATETIME_FORMAT")
        return f"{item.decided_by or '—'} · {when}"

    @admin.display(description="讲话", ordering="speech__title")
    def speech_link(self, item):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:speeches_speech_change", args=[item.speech_id]), item.speech
        )

    @admin.display(description="修正")
    def fix_link(self, item):
        if item.status != ReviewItem.PENDING:
            return ""
        return format_html('<a href="{}">修正…</a>', reverse("admin:speeches_reviewitem_fix", args=[item.pk]))

    @admin.action(description="确认所选项（无需修改，不再询问）", permissions=["change"])
    def accept_items(self, request, queryset):
        from speeches.curation.review import apply_decision

        for item in queryset.select_related("speech"):
            apply_decision(item, ReviewItem.ACCEPTED, request.user)

    @admin.action(description="否决所选抽取结果（重新抽取时不再采用）", permissions=["change"])
    def reject_items(self, request, queryset):
        from speeches.curation.review import apply_decision

        # A rejection re-extracts the speech (its rewrites are not recorded as curators' edits).
        for item in queryset.select_related("speech"):
            apply_decision(item, ReviewItem.REJECTED, request.user)

    def get_urls(self):
        view = self.admin_site.admin_view(self.fix_view)
        return [path("<int:object_id>/fix/", view, name="speeches_reviewitem_fix"), *super().get_urls()]

    def fix_view(self, request, object_id):
        item = get_object_or_404(review.with_value_labels(ReviewItem.objects.select_related("speech")), pk=object_id)
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        queue = reverse("admin:speeches_reviewitem_changelist")
        if item.field == ReviewItem.DUPLICATE:
            other = review.duplicate_of(item)
            if other is not None:
                return HttpResponseRedirect(f"{reverse('admin:speeches_speech_merge')}?ids={item.speech_id},{other.pk}")
            self.message_user(request, "导入时合并的副本只能在讲话页面核对正文；无误请在队列中确认。", messages.INFO)
            return HttpResponseRedirect(reverse("admin:speeches_speech_change", args=[item.speech_id]))
        form_class = fix_form_class(item)
        initial = {}
        if item.field == ReviewItem.REPAIR:
            found = review.repaired_paragraph(item)
            initial["text"] = found[1] if found else ""
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                self._apply_fix(item, form.cleaned_data, request.user)
            except review.FixError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"已修正“{item.speech}”的{item.get_field_display()}。", messages.SUCCESS)
                return HttpResponseRedirect(queue)
        label = review.value_label(item)
        context = admin_context(
            self, request, f"修正{item.get_field_display()}：{label}", item=item, value_label=label, form=form,
            media=self.media + form.media,
        )
        return TemplateResponse(request, "admin/speeches/reviewitem/fix.html", context)

    @staticmethod
    def _apply_fix(item, data, user):
        if item.field == ReviewItem.REGION:
            review.fix_region(item, data["region"], user)
        elif item.field == ReviewItem.TOPIC:
            review.fix_topic(item, data["topic"], user)
        elif item.field == ReviewItem.OFFICIAL:
            review.fix_official(item, data["name"], data["title"], user)
        elif item.field == ReviewItem.SPEAKER:
            review.fix_speaker(item, data["name"], data["title"], user)
        elif item.field == ReviewItem.DATE:
            review.fix_date(item, data["date"], user)
        elif item.field == ReviewItem.REPAIR:
            review.fix_repair(item, data["text"], user)

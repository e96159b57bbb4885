"""Speeches: the curator's speech page (marked text, extraction table, locks), filters,
actions (publish, withdraw, re-extract, reindex, merge, split) and edit history with revert."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from speeches import jobs
from speeches.admin.common import NamedAutocompleteMixin, admin_context
from speeches.admin.forms import (
    SpeechAdminForm,
    SplitForm,
)
from speeches.curation import history, marked_text, merge, review, split, status
from speeches.extract.annotate import REVIEW_THRESHOLD
from speeches.locks import lock_hand_edits
from speeches.models import (
    Citation,
    Job,
    PendingExtraction,
    PendingPassageUpdate,
    Region,
    ReviewItem,
    Section,
    Speech,
    SpeechTopic,
)
from speeches.reuse import display as reuse_display


def extraction_state(speech):
    """"等待抽取", "抽取失败：…" or "" (extracted) for a speech."""
    try:
        pending = speech.pending_extraction
    except PendingExtraction.DoesNotExist:
        return ""
    return f"抽取失败：{pending.error}" if pending.error else "等待抽取"


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "number", "heading", "level", "start", "end"]
    extra = 0


class CitationInline(NamedAutocompleteMixin, admin.TabularInline):
    model = Citation
    fields = ["official", "mention", "title_as_written", "offset", "sentence", "confidence"]
    autocomplete_fields = ["official"]
    extra = 0


class SpeechTopicInline(NamedAutocompleteMixin, admin.TabularInline):
    model = SpeechTopic
    fields = ["topic", "score"]
    autocomplete_fields = ["topic"]
    extra = 0


class ProvinceFilter(admin.SimpleListFilter):
    title = "省级地区"
    parameter_name = "province"

    def lookups(self, request, model_admin):
        provinces = Region.objects.filter(level__in=[Region.NATIONAL, Region.PROVINCE]).order_by("code")
        return [(region.code, region.name) for region in provinces]

    def queryset(self, request, queryset):
        # GB/T 2260 codes nest by prefix: a province's speeches are those of its subtree.
        if self.value():
            return queryset.filter(region__code__startswith=self.value())
        return queryset


class HasRegionFilter(admin.SimpleListFilter):
    title = "有无地区"
    parameter_name = "has_region"

    def lookups(self, request, model_admin):
        return [("yes", "有地区"), ("no", "地区不详")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(region__isnull=self.value() == "no")
        return queryset


class RegionConfidenceFilter(admin.SimpleListFilter):
    title = "地区置信度"
    parameter_name = "region_confidence"
    HIGH = 0.8
    BANDS = {
        "high": ("高（≥0.8）", {"region_confidence__gte": HIGH}),
        "medium": (f"中（{REVIEW_THRESHOLD}–0.8）", {"region_confidence__gte": REVIEW_THRESHOLD, "region_confidence__lt": HIGH}),
        # Below the extraction's review threshold: these went to the review queue.
        "low": (f"低（<{REVIEW_THRESHOLD}）", {"region_confidence__lt": REVIEW_THRESHOLD}),
        "none": ("无", {"region_confidence__isnull": True}),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _lookup) in self.BANDS.items()]

    def queryset(self, request, queryset):
        if self.value() in self.BANDS:
            return queryset.filter(**self.BANDS[self.value()][1])
        return queryset


class ExtractionFilter(admin.SimpleListFilter):
    title = "抽取情况"
    parameter_name = "extraction"

    def lookups(self, request, model_admin):
        return [("waiting", "等待抽取"), ("failed", "抽取失败"), ("done", "已抽取")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(pending_extraction__isnull=False, pending_extraction__error="")
        if self.value() == "failed":
            return queryset.filter(pending_extraction__isnull=False).exclude(pending_extraction__error="")
        if self.value() == "done":
            return queryset.filter(pending_extraction__isnull=True)
        return queryset


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "审核情况"
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", "有待审核项"), ("no", "无")]

    def queryset(self, request, queryset):
        pending = ReviewItem.objects.filter(status=ReviewItem.PENDING).values("speech_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=pending)
        if self.value() == "no":
            return queryset.exclude(pk__in=pending)
        return queryset


@admin.register(Speech)
class SpeechAdmin(NamedAutocompleteMixin, SimpleHistoryAdmin):
    change_form_template = "admin/speeches/speech/change_form.html"
    object_history_template = "admin/speeches/speech/object_history.html"
    object_history_list_template = "admin/speeches/speech/object_history_list.html"
    form = SpeechAdminForm
    list_display = ["title", "uid", "display_year", "region", "kind", "status", "source_name", "extraction_state"]
    list_filter = [
        "status",
        ProvinceFilter,
        # Titles from the fields' names, read "按主题", "按来源" (templates/admin/filter.html).
        ("topics", admin.RelatedOnlyFieldListFilter),
        "kind",
        ("source", admin.RelatedOnlyFieldListFilter),
        HasRegionFilter,
        RegionConfidenceFilter,
        NeedsReviewFilter,
        ExtractionFilter,
        "year_masked",
        "year",
    ]
    search_fields = ["title", "body", "=uid", "region__name", "source__title"]
    list_select_related = ["region", "source", "pending_extraction"]
    autocomplete_fields = ["region", "speaker"]
    raw_id_fields = ["source", "merged_into"]
    # What the importer read from the text's header is shown, and changed by editing the text.
    readonly_fields = [
        "uid", "marked_text", "extraction_table", "import_log_lines", "content_hash", "created_at", "updated_at",
        "source_date", "source_year", "speaker_name", "speaker_title", "meeting", "delegated_by", "notes_start",
    ]
    # An address typed without a scheme is taken as https (Django 6's default, said now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SectionInline, CitationInline, SpeechTopicInline]
    actions = [
        "publish_speeches",
        "withdraw_speeches",
        "reextract_speeches",
        "reindex_speeches",
        "merge_speeches",
    ]
    fieldsets = [
        (None, {"fields": ["uid", "title", "status", "kind", "speaker", "body"]}),
        ("正文中的官员与地区", {"fields": ["marked_text"], "classes": ["marked-text-fieldset"]}),
        ("抽取结果", {"fields": ["extraction_table"]}),
        ("时间与地区", {"fields": ["date", "year", "year_masked", "region", "region_confidence"]}),
        (
            "原文报头",
            {"fields": ["meeting", "source_date", "source_year", "speaker_name", "speaker_title", "delegated_by", "notes_start"]},
        ),
        ("来源", {"fields": ["source", "position", "url", "copies", "merged_into"]}),
        ("关键词与人工锁定", {"fields": ["keywords", "locked_fields"]}),
        ("导入记录", {"fields": ["import_log_lines", "created_at", "updated_at"]}),
        # The importer's bookkeeping: how a re-import recognises the text.
        ("内部信息", {"fields": ["content_hash"], "classes": ["collapse"]}),
    ]

    @admin.display(description="年份")
    def display_year(self, speech):
        return speech.display_year

    @admin.display(description="来源", ordering="source__title")
    def source_name(self, speech):
        return speech.source.display_name if speech.source_id else "—"

    @admin.display(description="标注正文")
    def marked_text(self, speech):
        if not speech.pk:
            return "保存后显示抽取出的官员与地区。"
        marks, stale = marked_text.speech_marks(speech)
        return render_to_string("admin/speeches/speech/_marked_text.html", {
            "paragraphs": marked_text.marked_paragraphs(speech.body, marks),
            "marks": len(marks),
            "stale": stale,
        })

    @admin.display(description="抽取")
    def extraction_state(self, speech):
        return extraction_state(speech)

    @admin.display(description="抽取的字段")
    def extraction_table(self, speech):
        if not speech.pk:
            return "—"
        return render_to_string("admin/speeches/speech/_findings.html", {
            "waiting": extraction_state(speech),
            "findings": marked_text.findings(speech),
            "pending": speech.review_items.filter(status=ReviewItem.PENDING),
            "queue_url": reverse("admin:speeches_reviewitem_changelist"),
            "speech": speech,
        })

    @admin.display(description="导入时的处理")
    def import_log_lines(self, speech):
        lines = marked_text.import_log_lines(speech.import_log)
        return render_to_string("admin/speeches/speech/_import_log.html", {"lines": lines})

    # Hand edits: recorded with a revertable starting point, and locked against re-import.

    def save_model(self, request, obj, form, change):
        if change:
            history.ensure_baseline([obj])
            changed = set(form.changed_data)
            if "region" in changed and "region_confidence" not in changed:
                # Chosen by a curator: as sure as it gets.
                obj.region_confidence = 1.0 if obj.region_id else None
            # A curator editing the lock list itself gets exactly the list they wrote.
            if "locked_fields" not in changed:
                lock_hand_edits(obj, changed)
            review.settle_hand_edits(obj, changed, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # Rows extraction wrote in bulk have no history yet: record them before a change.
        history.ensure_baseline(
            [f.instance for f in formset.initial_forms if f.instance.pk and f.has_changed()]
        )
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        speech = form.instance
        edited = [formset.model._meta.model_name for formset in formsets if formset.has_changed()]
        if change and "locked_fields" not in form.changed_data and lock_hand_edits(speech, edited):
            speech.save(update_fields=["locked_fields"])
        if "body" in form.changed_data and "section" not in edited:
            # Section offsets point into the old text.
            split.rewrite_sections(speech)

    # Actions: each one checks the change permission (only curators see them). A
    # selection of more than ADMIN_ACTION_INLINE_MAX speeches becomes a background job.

    def _as_job(self, request, queryset, kind):
        """A job for a large selection (True), or False: small ones are done at once."""
        limit = settings.ADMIN_ACTION_INLINE_MAX
        ids = list(queryset.values_list("pk", flat=True)[: limit + 1]) if limit else []
        if len(ids) <= limit:
            return False
        job = jobs.speeches_job(kind, queryset.values_list("pk", flat=True), request.user)
        self.message_user(
            request,
            format_html('已交给后台处理：<a href="{}">任务 #{}（{}）</a>，完成后可在任务页查看结果。',
                        job.get_absolute_url(), job.pk, job.get_kind_display()),
            messages.SUCCESS,
        )
        return True

    @admin.action(description="发布所选讲话", permissions=["change"])
    def publish_speeches(self, request, queryset):
        if self._as_job(request, queryset, Job.PUBLISH):
            return
        changed, skipped = status.publish(queryset)
        self.message_user(request, f"已发布 {len(changed)} 篇讲话。", messages.SUCCESS)
        if skipped:
            titles = "、".join(speech.title for speech in skipped[:5])
            self.message_user(request, f"{len(skipped)} 篇是已合并的副本，仍保持撤回：{titles}", messages.WARNING)

    @admin.action(description="撤回所选讲话（公开页面、列表、订阅与搜索中不再出现）", permissions=["change"])
    def withdraw_speeches(self, request, queryset):
        if self._as_job(request, queryset, Job.WITHDRAW):
            return
        changed, _skipped = status.withdraw(queryset)
        self.message_user(request, f"已撤回 {len(changed)} 篇讲话。", messages.SUCCESS)

    @admin.action(description="重新抽取地区、官员、主题与日期（保留人工锁定字段）", permissions=["change"])
    def reextract_speeches(self, request, queryset):
        if self._as_job(request, queryset, Job.REEXTRACT):
            return
        count = status.reextract(queryset)
        self.message_user(request, f"已重新抽取 {count} 篇讲话。", messages.SUCCESS)

    @admin.action(description="重建所选讲话的搜索索引", permissions=["change"])
    def reindex_speeches(self, request, queryset):
        if self._as_job(request, queryset, Job.REINDEX):
            return
        count = status.reindex(queryset.values_list("pk", flat=True))
        self.message_user(request, f"已更新 {count} 篇讲话的索引。", messages.SUCCESS)

    @admin.action(description="合并所选的重复讲话…", permissions=["change"])
    def merge_speeches(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.order_by("pk").values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:speeches_speech_merge')}?ids={ids}")

    # Pages of their own: merge (choose the copy to keep), split, revert an assignment.

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("merge/", wrap(self.merge_view), name="speeches_speech_merge"),
            path("shared-passages/", wrap(self.shared_passages_view), name="speeches_speech_shared_passages"),
            path("<int:object_id>/split/", wrap(self.split_view), name="speeches_speech_split"),
            path(
                "<int:object_id>/history/assignment/<str:model_name>/<int:history_id>/revert/",
                wrap(self.revert_assignment_view),
                name="speeches_speech_revert_assignment",
            ),
            *super().get_urls(),
        ]

    def shared_passages_view(self, request):
        """The most reused passages and the speeches that are mostly copies (speeches.reuse)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = admin_context(
            self, request, "共用文字",
            passages=reuse_display.most_reused(),
            templates=reuse_display.template_speeches(),
            template_share=round(reuse_display.TEMPLATE_SHARE * 100),
            pending=PendingPassageUpdate.objects.values("speech_id").distinct().count(),
        )
        return TemplateResponse(request, "admin/speeches/speech/shared_passages.html", context)

    def _require_change(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            raise PermissionDenied

    def merge_view(self, request):
        self._require_change(request)
        raw_ids = request.POST.get("ids") or request.GET.get("ids") or ""
        ids = [int(part) for part in raw_ids.split(",") if part.strip().isdigit()]
        speeches = list(Speech.objects.filter(pk__in=ids).select_related("source", "region").order_by("pk"))
        changelist = reverse("admin:speeches_speech_changelist")
        if len(speeches) < 2:
            self.message_user(request, "请至少选择两篇讲话：一篇保留，其余并入它。", messages.WARNING)
            return HttpResponseRedirect(changelist)
        if request.method == "POST":
            keep = next((s for s in speeches if str(s.pk) == request.POST.get("keep")), None)
            if keep is None:
                self.message_user(request, "请选择要保留的一篇。", messages.ERROR)
            else:
                try:
                    merged = merge.merge_duplicates(keep, speeches, request.user)
                except merge.MergeError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"已把 {len(merged)} 篇并入“{keep.title}”：原地址将永久跳转到这一篇，搜索中只显示这一篇。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:speeches_speech_change", args=[keep.pk]))
        # The published, earliest imported copy is the usual one to keep.
        suggested = next((s for s in speeches if s.status == Speech.PUBLISHED and not s.is_merged_copy), speeches[0])
        context = admin_context(
            self, request, "合并重复讲话",
            speeches=speeches,
            ids=",".join(str(s.pk) for s in speeches),
            suggested=suggested,
        )
        return TemplateResponse(request, "admin/speeches/speech/merge_confirmation.html", context)

    def split_view(self, request, object_id):
        speech = get_object_or_404(Speech, pk=object_id)
        self._require_change(request, speech)
        form = SplitForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                second = split.split_speech(speech, form.cleaned_data["paragraph"], form.cleaned_data["title"])
            except split.SplitError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request, f"已拆分：后一篇“{second.title}”（{second.uid}）已新建，两篇都已重新分节和抽取。",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:speeches_speech_change", args=[second.pk]))
        context = admin_context(
            self, request, f"拆分讲话：{speech.title}",
            original=speech,
            form=form,
            paragraphs=speech.paragraphs(),
        )
        return TemplateResponse(request, "admin/speeches/speech/split.html", context)

    def history_view(self, request, object_id, extra_context=None):
        speech = Speech.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra = {
            "assignment_changes": history.assignment_changes(speech) if speech else [],
            "can_revert_assignments": speech is not None and self.has_change_permission(request, speech),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context=extra)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed revert for anyone who may view the history.
        if request.method == "POST":
            self._require_change(request, get_object_or_404(Speech, pk=object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_assignment_view(self, request, object_id, model_name, history_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        speech = get_object_or_404(Speech, pk=object_id)
        self._require_change(request, speech)
        model = {"speechtopic": SpeechTopic, "citation": Citation}.get(model_name)
        if model is None:
            raise PermissionDenied
        record = get_object_or_404(model.history, history_id=history_id)
        try:
            history.revert_assignment(record, speech)
        except history.RevertError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"已撤销这次修改：{history.assignment_label(record)}", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:speeches_speech_history", args=[speech.pk]))


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "speech", "order", "level", "start", "end"]
    list_filter = ["level"]
    search_fields = ["heading", "number", "speech__title", "speech__uid"]
    list_select_related = ["speech"]
    raw_id_fields = ["speech"]

"""Admin pages for every record, and the curators' workbench: filters and actions on
speeches (publish, withdraw, re-extract, reindex, merge, split), the review queue with
its fixes, edit history with revert, imports by upload and the search health page.
The work itself is done by speeches.curation; these classes wire it to the admin."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from speeches import jobs, search
from speeches.curation import health, history, merge, review, split, status, upload
from speeches.curation.forms import (
    DictionaryTermAdminForm,
    DictionaryTermForm,
    SplitForm,
    UploadImportForm,
    fix_form_class,
)
from speeches.curation.recording import extraction_writes
from speeches.extract.annotate import REVIEW_THRESHOLD
from speeches.locks import lock_hand_edits
from speeches.models import (
    BrowseCount,
    Citation,
    CountedSpeech,
    DictionaryTerm,
    Job,
    Official,
    PendingIndexUpdate,
    Region,
    RegionMention,
    ReviewItem,
    SearchQueryLog,
    Section,
    SimilarityKey,
    Source,
    Speech,
    SpeechTopic,
    Topic,
)


def _admin_context(model_admin, request, title, **context):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **context,
    }


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
    change_list_template = "admin/speeches/source/change_list.html"
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

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="speeches_source_import"), *super().get_urls()]

    def import_view(self, request):
        """Upload files or a zip: they are imported by the job worker, and the job's page
        shows the progress and then the import report."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = UploadImportForm(request.POST, request.FILES)
            if form.is_valid():
                job = upload.queue_import(form.cleaned_data["files"], form.cleaned_data["status"], request.user)
                self.message_user(request, f"文件已收到,正在后台导入(任务 #{job.pk});本页显示进度与导入报告。", messages.SUCCESS)
                return HttpResponseRedirect(job.get_absolute_url())
        else:
            form = UploadImportForm()
        context = _admin_context(
            self, request, "导入文件",
            form=form,
            allowed=upload.ALLOWED_SUFFIXES,
            max_mb=round(settings.IMPORT_UPLOAD_MAX_BYTES / 1024 / 1024),
            recent_jobs=Job.objects.filter(kind=Job.IMPORT).select_related("started_by")[:10],
        )
        return TemplateResponse(request, "admin/speeches/source/import.html", context)


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
    title = "是否有地区"
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
        "high": ("高(≥0.8)", {"region_confidence__gte": HIGH}),
        "medium": (f"中({REVIEW_THRESHOLD}–0.8)", {"region_confidence__gte": REVIEW_THRESHOLD, "region_confidence__lt": HIGH}),
        # Below the extraction's review threshold: these went to the review queue.
        "low": (f"低(<{REVIEW_THRESHOLD})", {"region_confidence__lt": REVIEW_THRESHOLD}),
        "none": ("无", {"region_confidence__isnull": True}),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _lookup) in self.BANDS.items()]

    def queryset(self, request, queryset):
        if self.value() in self.BANDS:
            return queryset.filter(**self.BANDS[self.value()][1])
        return queryset


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "待审核"
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
class SpeechAdmin(SimpleHistoryAdmin):
    change_form_template = "admin/speeches/speech/change_form.html"
    object_history_template = "admin/speeches/speech/object_history.html"
    object_history_list_template = "admin/speeches/speech/object_history_list.html"
    list_display = ["title", "uid", "display_year", "region", "kind", "status", "source"]
    list_filter = [
        "status",
        ProvinceFilter,
        ("topics", admin.RelatedOnlyFieldListFilter),
        "kind",
        ("source", admin.RelatedOnlyFieldListFilter),
        HasRegionFilter,
        RegionConfidenceFilter,
        NeedsReviewFilter,
        "year_masked",
        "year",
    ]
    search_fields = ["title", "body", "=uid", "region__name", "source__title"]
    list_select_related = ["region", "source"]
    autocomplete_fields = ["region", "speaker"]
    raw_id_fields = ["source", "merged_into"]
    # What the importer read from the text's header: shown, changed by editing the text.
    readonly_fields = [
        "uid", "content_hash", "created_at", "updated_at",
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
        ("时间与地区", {"fields": ["date", "year", "year_masked", "region", "region_confidence"]}),
        (
            "原文报头",
            {"fields": ["meeting", "source_date", "source_year", "speaker_name", "speaker_title", "delegated_by", "notes_start"]},
        ),
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

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and NeedsReviewFilter.parameter_name in request.GET:
            # The importer's flags for speeches imported from the command line too.
            review.refresh_import_flags()
        return super().changelist_view(request, extra_context)

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
            format_html('已交给后台处理:<a href="{}">任务 #{}({})</a>,完成后可在任务页查看结果。',
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
            self.message_user(request, f"{len(skipped)} 篇是已合并的副本,仍保持撤回:{titles}", messages.WARNING)

    @admin.action(description="撤回所选讲话(公开页面、列表、订阅与搜索中不再出现)", permissions=["change"])
    def withdraw_speeches(self, request, queryset):
        if self._as_job(request, queryset, Job.WITHDRAW):
            return
        changed, _skipped = status.withdraw(queryset)
        self.message_user(request, f"已撤回 {len(changed)} 篇讲话。", messages.SUCCESS)

    @admin.action(description="重新抽取地区、官员、主题与日期(保留人工锁定字段)", permissions=["change"])
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
            path("<int:object_id>/split/", wrap(self.split_view), name="speeches_speech_split"),
            path(
                "<int:object_id>/history/assignment/<str:model_name>/<int:history_id>/revert/",
                wrap(self.revert_assignment_view),
                name="speeches_speech_revert_assignment",
            ),
            *super().get_urls(),
        ]

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
            self.message_user(request, "请至少选择两篇讲话:一篇保留,其余并入它。", messages.WARNING)
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
                        f"已把 {len(merged)} 篇并入“{keep.title}”:原地址将永久跳转到这一篇,搜索中只显示这一篇。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:speeches_speech_change", args=[keep.pk]))
        # The published, earliest imported copy is the usual one to keep.
        suggested = next((s for s in speeches if s.status == Speech.PUBLISHED and not s.is_merged_copy), speeches[0])
        context = _admin_context(
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
                    request, f"已拆分:后一篇“{second.title}”({second.uid})已新建,两篇都已重新分节和抽取。",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:speeches_speech_change", args=[second.pk]))
        context = _admin_context(
            self, request, f"拆分讲话:{speech.title}",
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
            self.message_user(request, f"已撤销这次修改:{history.assignment_label(record)}", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:speeches_speech_history", args=[speech.pk]))


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the archive keeps for itself: shown, never added or edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SimilarityKey)
class SimilarityKeyAdmin(ReadOnlyAdmin):
    """The importer's text fingerprints (near-duplicate search): read, never edited."""

    list_display = ["key", "speech"]
    search_fields = ["=key", "speech__uid", "speech__title"]
    list_select_related = ["speech"]
    raw_id_fields = ["speech"]


class KeptCountsAdmin(ReadOnlyAdmin):
    """The browse pages' counts (speeches/counts.py), read here; a row deleted by hand would
    leave them wrong: `manage.py check_counts --repair` recounts them."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BrowseCount)
class BrowseCountAdmin(KeptCountsAdmin):
    list_display = ["kind", "key", "count"]
    list_filter = ["kind"]
    search_fields = ["=key"]


@admin.register(CountedSpeech)
class CountedSpeechAdmin(KeptCountsAdmin):
    list_display = ["speech_id", "keys"]
    search_fields = ["=speech_id"]


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
    """The review queue: doubtful extractions and what the importer did (repairs, merged
    copies, equal texts). Approve keeps the value, reject drops it, fix sets the right one;
    every decision is kept across re-imports."""

    change_list_template = "admin/speeches/reviewitem/change_list.html"
    list_display = [
        "value", "field", "speech_link", "confidence", "reason", "status", "decided_by", "decided_at", "fix_link",
    ]
    list_filter = ["status", "field"]
    search_fields = ["value", "reason", "speech__title", "speech__uid"]
    list_select_related = ["speech", "decided_by"]
    raw_id_fields = ["speech", "decided_by"]
    readonly_fields = ["created_at"]
    actions = ["accept_items", "reject_items"]

    def changelist_view(self, request, extra_context=None):
        # Flags for speeches imported by the command line as well as by upload.
        if request.method == "GET":
            review.refresh_import_flags()
        return super().changelist_view(request, extra_context)

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

    @admin.action(description="确认所选项(无需修改,不再询问)", permissions=["change"])
    def accept_items(self, request, queryset):
        from speeches.curation.review import apply_decision

        for item in queryset.select_related("speech"):
            apply_decision(item, ReviewItem.ACCEPTED, request.user)

    @admin.action(description="否决所选抽取结果(重新抽取时不再采用)", permissions=["change"])
    def reject_items(self, request, queryset):
        from speeches.curation.review import apply_decision

        # A rejection re-extracts the speech: its rewrites are not curators' edits.
        with extraction_writes():
            for item in queryset.select_related("speech"):
                apply_decision(item, ReviewItem.REJECTED, request.user)

    def get_urls(self):
        view = self.admin_site.admin_view(self.fix_view)
        return [path("<int:object_id>/fix/", view, name="speeches_reviewitem_fix"), *super().get_urls()]

    def fix_view(self, request, object_id):
        item = get_object_or_404(ReviewItem.objects.select_related("speech"), pk=object_id)
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        queue = reverse("admin:speeches_reviewitem_changelist")
        if item.field == ReviewItem.DUPLICATE:
            other = review.duplicate_of(item)
            if other is not None:
                return HttpResponseRedirect(f"{reverse('admin:speeches_speech_merge')}?ids={item.speech_id},{other.pk}")
            self.message_user(request, "导入时合并的副本只能在讲话页面核对正文;无误请在队列中确认。", messages.INFO)
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
        context = _admin_context(self, request, f"修正:{item}", item=item, form=form, media=self.media + form.media)
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the archive keeps by itself: curators and viewers read them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Background jobs: their progress and, once done, their full report (an import's is
    the report of every file, with links to the speeches)."""

    list_display = ["__str__", "kind", "status", "progress", "started_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["started_by"]
    date_hierarchy = "created_at"

    @admin.display(description="进度")
    def progress(self, job):
        return f"{job.done}/{job.total}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = get_object_or_404(Job.objects.select_related("started_by"), pk=object_id) if str(object_id).isdigit() else None
        if job is None:
            raise Http404("没有这个任务")
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        reports = upload.job_reports(job) if job.kind == Job.IMPORT else None
        context = _admin_context(
            self, request, str(job),
            job=job,
            reports=reports,
            totals=upload.report_totals(reports) if reports is not None else None,
            items=job.items.all() if reports is None else None,
        )
        return TemplateResponse(request, "admin/speeches/job/detail.html", context)


@admin.register(SearchQueryLog)
class SearchQueryLogAdmin(ReadOnlyAdmin):
    """Searches per day (words only, no visitor data), and the search health page."""

    change_list_template = "admin/speeches/searchquerylog/change_list.html"
    list_display = ["query", "day", "count", "results_count"]
    list_filter = ["day"]
    search_fields = ["query"]
    date_hierarchy = "day"

    def get_urls(self):
        view = self.admin_site.admin_view(self.health_view)
        return [path("health/", view, name="speeches_search_health"), *super().get_urls()]

    def health_view(self, request):
        """Drift, last rebuild and query statistics; repairing and adding a dictionary word
        are POSTs that need the change or add permission."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        speech_admin = self.admin_site.get_model_admin(Speech)
        term_admin = self.admin_site.get_model_admin(DictionaryTerm)
        can_repair = speech_admin.has_change_permission(request)
        can_add_term = term_admin.has_add_permission(request)
        term_form = DictionaryTermForm()
        if request.method == "POST":
            if "repair" in request.POST:
                if not can_repair:
                    raise PermissionDenied
                job = jobs.repair_index_job(request.user)
                self.message_user(
                    request,
                    format_html('正在后台修复索引差异:<a href="{}">任务 #{}</a>。', job.get_absolute_url(), job.pk),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(request.path)
            if "add_term" in request.POST:
                if not can_add_term:
                    raise PermissionDenied
                term_form = DictionaryTermForm(request.POST)
                if term_form.is_valid():
                    try:
                        term = health.add_dictionary_term(term_form.cleaned_data["term"], request.user)
                    except health.TermError as exc:
                        term_form.add_error("term", str(exc))
                    else:
                        self.message_user(request, f"已把“{term}”加入词典,含有它的讲话已重新索引。", messages.SUCCESS)
                        return HttpResponseRedirect(request.path)
        health.count_spooled_searches()
        context = _admin_context(
            self, request, "搜索健康状况",
            **health.search_health(),
            frequent=health.frequent_queries(),
            zero_results=health.zero_result_queries(),
            days=health.QUERY_DAYS,
            terms=DictionaryTerm.objects.select_related("added_by").order_by("-added_at")[:50],
            term_form=term_form,
            can_repair=can_repair,
            can_add_term=can_add_term,
        )
        return TemplateResponse(request, "admin/speeches/search_health.html", context)


@admin.register(DictionaryTerm)
class DictionaryTermAdmin(admin.ModelAdmin):
    """Curators' words for the search segmenter; adding or removing one reloads the
    vocabulary and re-indexes the speeches holding it."""

    form = DictionaryTermAdminForm
    list_display = ["term", "added_by", "added_at"]
    search_fields = ["term"]
    readonly_fields = ["added_by", "added_at"]

    def save_model(self, request, obj, form, change):
        old = DictionaryTerm.objects.filter(pk=obj.pk).values_list("term", flat=True).first() if change else None
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
        search.user_terms_changed([term for term in (old, obj.term) if term])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        search.user_terms_changed([obj.term])

    def delete_queryset(self, request, queryset):
        terms = list(queryset.values_list("term", flat=True))
        super().delete_queryset(request, queryset)
        search.user_terms_changed(terms)

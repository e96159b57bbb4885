"""Sources: each imported file with its speeches, and the import page (uploads run as jobs)."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path

from speeches.admin.common import admin_context
from speeches.admin.forms import (
    UploadImportForm,
)
from speeches.curation import upload
from speeches.models import (
    Job,
    Source,
    Speech,
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
                self.message_user(request, f"文件已收到，正在后台导入（任务 #{job.pk}）；本页显示进度与导入报告。", messages.SUCCESS)
                return HttpResponseRedirect(job.get_absolute_url())
        else:
            form = UploadImportForm()
        context = admin_context(
            self, request, "导入文件",
            form=form,
            allowed=upload.ALLOWED_SUFFIXES,
            max_mb=round(settings.IMPORT_UPLOAD_MAX_BYTES / 1024 / 1024),
            recent_jobs=Job.objects.filter(kind=Job.IMPORT).select_related("started_by")[:10],
        )
        return TemplateResponse(request, "admin/speeches/source/import.html", context)

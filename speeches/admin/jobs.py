"""Jobs: long work run by the job worker, with each item's report."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from speeches.admin.common import ReadOnlyAdmin, admin_context
from speeches.curation import upload
from speeches.models import (
    Job,
)


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
        context = admin_context(
            self, request, str(job),
            job=job,
            reports=reports,
            totals=upload.report_totals(reports) if reports is not None else None,
            items=job.items.all() if reports is None else None,
        )
        return TemplateResponse(request, "admin/speeches/job/detail.html", context)

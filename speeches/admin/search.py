"""The search's health page, the query statistics and the curators' dictionary words."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from speeches import jobs, search
from speeches.admin.common import ReadOnlyAdmin, admin_context
from speeches.admin.forms import (
    DictionaryTermAdminForm,
    DictionaryTermForm,
)
from speeches.curation import health
from speeches.models import (
    DictionaryTerm,
    SearchQueryLog,
    Speech,
)


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
                    format_html('正在后台修复索引差异：<a href="{}">任务 #{}</a>。', job.get_absolute_url(), job.pk),
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
                        self.message_user(request, f"已把“{term}”加入词典，含有它的讲话已重新索引。", messages.SUCCESS)
                        return HttpResponseRedirect(request.path)
        health.count_spooled_searches()
        context = admin_context(
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

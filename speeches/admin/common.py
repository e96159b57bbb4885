"""What the admin's modules share: yes/no in Chinese, named autocompletes, the context of
the curators' own pages, read-only lists."""

from django.contrib import admin

from speeches.admin.forms import (
    NamedAutocompleteSelect,
)


def yes_no(value):
    # Django draws a boolean as an icon whose alternative text is Python's True/False.
    return "是" if value else "否"


class NamedAutocompleteMixin:
    """Admin classes whose autocomplete fields use NamedAutocompleteSelect."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = NamedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def admin_context(model_admin, request, title, **context):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **context,
    }


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the archive keeps by itself: curators and viewers read them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

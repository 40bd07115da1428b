from django.contrib import admin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by the import API and page, and changed only by the import itself."""

    list_display = ("id", "workspace", "filename", "mode", "status", "rows_total", "rows_done", "rows_failed", "created_by", "created_at")
    list_filter = ("status", "mode")
    search_fields = ("filename", "workspace__name")
    list_select_related = ("workspace", "created_by")
    exclude = ("rows",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "rows"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

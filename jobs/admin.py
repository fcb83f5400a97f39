from django.contrib import admin

from jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "started_at", "finished_at", "outcome", "count", "worker"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "started_at"
    readonly_fields = ["job", "worker", "started_at", "finished_at", "outcome", "count", "error"]

    def has_add_permission(self, request: object) -> bool:
        return False

from django.contrib import admin

from jobs.models import JobRun, WorkerHeartbeat


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "started_at", "finished_at", "outcome", "count", "waiting", "note", "worker"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "job",
        "worker",
        "started_at",
        "finished_at",
        "outcome",
        "count",
        "waiting",
        "retry_at",
        "note",
        "error",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "interval_seconds", "started_at", "seen_at", "stopped_at"]
    list_filter = ["state", "host"]
    readonly_fields = [field.name for field in WorkerHeartbeat._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

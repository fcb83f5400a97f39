from django.contrib import admin

from attendance.models import AbsenceReason, Attendance


@admin.register(AbsenceReason)
class AbsenceReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "is_customer_usable", "is_active", "position")
    list_filter = ("organization", "is_customer_usable", "is_active")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("meeting", "participant", "status", "reason", "recorded_by_kind", "recorded_at", "cleared_at")
    list_filter = ("status", "recorded_by_kind")
    raw_id_fields = ("meeting", "participant", "registration", "reason", "recorded_by", "cleared_by")

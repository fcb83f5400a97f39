from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from organizations.models import StaffMembership
from organizations.services import end_membership


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    """Staff memberships: one saved inactive, or deleted, ends its user's API tokens for good."""

    list_display = ("user", "organization", "is_active")
    list_filter = ("is_active", "organization")
    search_fields = ("user__username", "organization__slug")
    raw_id_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not obj.is_active:
            end_membership(membership=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        end_membership(membership=obj, delete=True)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[StaffMembership]) -> None:
        for membership in queryset:
            end_membership(membership=membership, delete=True)

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest

from accounts.models import ApiToken, LoginThrottle
from accounts.tokens import deactivate_user


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Sign-in lock-outs (X6). A superuser lifts one, an address's too, by deleting its row;
    administrators of an organization lift their own people's in the office."""

    list_display = ("scope", "key", "failures", "locked_until", "last_failed_at")
    list_filter = ("scope",)
    search_fields = ("key",)
    readonly_fields = ("scope", "key", "user", "failures", "window_started_at", "last_failed_at", "locked_until")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: only their digests are stored; revoke one by setting revoked_at."""

    list_display = ("user", "label", "created_at", "last_used_at", "expires_at", "revoked_at")
    search_fields = ("user__username", "label")
    readonly_fields = ("user", "digest", "password_stamp", "created_at", "last_used_at")


admin.site.unregister(User)


@admin.register(User)
class DeactivatingUserAdmin(UserAdmin):
    """Django's user admin, except that a user saved inactive loses every API token for good."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not obj.is_active:
            deactivate_user(user=obj)

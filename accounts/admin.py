from django.contrib import admin

from accounts.models import ApiToken, LoginThrottle


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

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.words import counted


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_expiry(now: datetime | None = None) -> datetime:
    """When a token used at `now` lapses if it is not used again (sliding, settings.API_TOKEN_IDLE_HOURS)."""
    return (now or timezone.now()) + timedelta(hours=settings.API_TOKEN_IDLE_HOURS)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored.

    It works while it is not revoked, not expired (`expires_at`, pushed forward as it is
    used: accounts.tokens), its user is active, and the user's password is the one it was
    issued under (`password_stamp`): a password change ends every token, whichever way the
    password was changed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=token_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)
    password_stamp = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user}"


class LoginThrottle(models.Model):
    """Failed sign-ins of one account (a user name, existing or not, lower-cased) or of one
    client address within the current window, and the lock-out they led to (accounts.throttle).
    An administrator lifts a lock-out by clearing its row."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", "Account"
        ADDRESS = "address", "Client address"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=254)
    # The account's user when the name is one (so the office can list its people's lock-outs).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_one_per_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {counted(self.failures, 'failure', 'failures')}"

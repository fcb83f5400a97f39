"""Sign-in throttling (X6): failed sign-ins are counted per account (the user name given,
whether or not it exists, so the answer never tells) and per client address; past a limit
within the window, every sign-in for that account or from that address is refused, even with
the right password, until the lock-out ends or an administrator lifts it.

The limits are Django settings (LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS,
LOGIN_FAILURE_WINDOW_MINUTES, LOGIN_LOCKOUT_MINUTES): accounts are not per organization.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import ngettext

from accounts.models import LoginThrottle
from core.errors import DomainError


class LoginThrottled(DomainError):
    """Too many failed sign-ins: answered 429 with Retry-After (API) or a page saying so."""

    code = "too_many_sign_in_attempts"
    kind = "throttled"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(lockout_words(retry_after_seconds), retry_after=retry_after_seconds)
        self.retry_after = retry_after_seconds


def lockout_words(retry_after_seconds: int) -> str:
    """The lock-out in the active language, the same sentence on the sign-in pages and in the
    API's message (its code stays too_many_sign_in_attempts)."""
    minutes = max(1, math.ceil(retry_after_seconds / 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)s minute, or ask an administrator "
        "to lift the lock-out.",
        "Too many failed sign-in attempts. Try again in %(minutes)s minutes, or ask an administrator "
        "to lift the lock-out.",
        minutes,
    ) % {"minutes": minutes}


@dataclass(frozen=True)
class Limits:
    failures: int
    window: timedelta
    lockout: timedelta


def limits(scope: str) -> Limits:
    failures = (
        settings.LOGIN_FAILURES_PER_ACCOUNT
        if scope == LoginThrottle.Scope.ACCOUNT
        else settings.LOGIN_FAILURES_PER_ADDRESS
    )
    return Limits(
        failures=failures,
        window=timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES),
        lockout=timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES),
    )


def after_failure(
    *, failures: int, window_started_at: datetime | None, now: datetime, limits: Limits
) -> tuple[int, datetime, datetime | None]:
    """Pure (D5): a key's failures, window start and lock-out end after one more failure at `now`."""
    if window_started_at is None or now - window_started_at >= limits.window:
        failures, window_started_at = 0, now
    failures += 1
    return failures, window_started_at, (now + limits.lockout if failures >= limits.failures else None)


def client_address(request: HttpRequest | None) -> str:
    """The client's address: the connection's, or behind settings.TRUSTED_PROXY_COUNT proxies
    the entry they added to X-Forwarded-For (never one the client could have written)."""
    if request is None:
        return ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:254]
    return str(request.META.get("REMOTE_ADDR", ""))[:254]


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    keys = [(LoginThrottle.Scope.ACCOUNT.value, username.strip().lower()[:254])]
    if address:
        keys.append((LoginThrottle.Scope.ADDRESS.value, address))
    return keys


def check_sign_in_allowed(*, username: str, address: str, now: datetime) -> None:
    """Raise `LoginThrottled` if this account or this address is locked out at `now`."""
    query = LoginThrottle.objects.none()
    for scope, key in _keys(username, address):
        query = query | LoginThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now)
    until = max((row.locked_until for row in query if row.locked_until), default=None)
    if until is not None:
        raise LoginThrottled(max(1, math.ceil((until - now).total_seconds())))


def record_failure(*, username: str, address: str, now: datetime) -> None:
    """Count one failed sign-in against the account and the address; raise `LoginThrottled` if
    that locks either out. Each key's row is locked while it is counted, so concurrent
    guesses are all counted."""
    user_id = (
        get_user_model().objects.filter(username__iexact=username.strip()).values_list("pk", flat=True).first()
        if username
        else None
    )
    locked_until: list[datetime] = []
    for scope, key in _keys(username, address):
        with transaction.atomic():
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(
                scope=scope,
                key=key,
                defaults={
                    "window_started_at": now,
                    "last_failed_at": now,
                    "user_id": user_id if scope == "account" else None,
                },
            )
            row.failures, row.window_started_at, until = after_failure(
                failures=row.failures,
                window_started_at=row.window_started_at if row.failures else None,
                now=now,
                limits=limits(scope),
            )
            row.last_failed_at = now
            if until is not None:
                row.locked_until = until
                locked_until.append(until)
            row.save()
    if locked_until:
        raise LoginThrottled(max(1, math.ceil((max(locked_until) - now).total_seconds())))


def record_success(*, username: str) -> None:
    """A right password ends the account's count (the address keeps its own)."""
    LoginThrottle.objects.filter(scope=LoginThrottle.Scope.ACCOUNT, key=username.strip().lower()[:254]).delete()

"""API tokens (X6): issued at sign-in, sliding expiry, ended by a password change, by
deactivation, or by their user (logout, revoke from the list)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import ApiToken, token_digest, token_expiry
from core.errors import DomainError

# A used token's expiry is pushed forward at most this often: the hot path reads the expiry
# with the token and writes it back only when it is this much behind.
REFRESH_EVERY = timedelta(hours=1)
DEACTIVATED = "deactivated"  # the revoked_reason of the tokens of a deactivated user or staff member


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    kind = "forbidden"
    default_message = "Wrong username or password."


class TokenNotFound(DomainError):
    code = "token_not_found"
    kind = "not_found"
    default_message = "No such token of yours."


def password_stamp(password_hash: str) -> str:
    """What a token remembers of the password it was issued under (never the hash itself). Not
    keyed with SECRET_KEY, so that rotating the key does not end every token."""
    return hashlib.sha256(f"accounts.ApiToken.password_stamp:{password_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    raw: str  # shown once, never stored
    token: ApiToken


def issue_token(*, user: AbstractBaseUser, label: str = "", now: datetime | None = None) -> str:
    """Create an API token for `user` and return it. Only its digest is stored, so this is
    the one moment the raw token exists."""
    return issue(user=user, label=label, now=now).raw


def issue(*, user: AbstractBaseUser, label: str = "", now: datetime | None = None) -> IssuedToken:
    now = now or timezone.now()
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=user.pk,
        digest=token_digest(raw),
        label=label[:100],
        expires_at=token_expiry(now),
        password_stamp=password_stamp(user.password),
    )
    return IssuedToken(raw=raw, token=token)


def login_for_token(*, username: str, password: str, address: str, label: str = "api") -> IssuedToken:
    """Sign in for a token (throttled like every sign-in: `accounts.throttle.LoginThrottled`)."""
    user = authenticate(None, username=username, password=password, address=address)
    if user is None or not user.is_active:
        raise InvalidCredentials
    return issue(user=user, label=label)


def token_holds(*, user: AbstractBaseUser, stamp: str, expires_at: datetime, token_id: int, now: datetime) -> bool:
    """Whether a token found by its digest (not revoked, not expired) still lets `user` in:
    active, and the password unchanged since it was issued. Pushes a used token's expiry on
    (sliding), at most once per REFRESH_EVERY."""
    if not user.is_active:
        # Deactivated some way that did not revoke (the shell): the token ends here, for good.
        ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=now, revoked_reason=DEACTIVATED)
        return False
    if not constant_time_compare(stamp, password_stamp(user.password)):
        return False
    if expires_at - now < timedelta(hours=settings.API_TOKEN_IDLE_HOURS) - REFRESH_EVERY:
        ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(
            expires_at=token_expiry(now), last_used_at=now
        )
    return True


def revoke_token(*, user: AbstractBaseUser, token_id: int, now: datetime, reason: str = "revoked") -> ApiToken:
    """End one of the user's own tokens (logout, or revoke from the list). Revoking twice is harmless."""
    token = ApiToken.objects.filter(user_id=user.pk, pk=token_id).first()
    if token is None:
        raise TokenNotFound
    if token.revoked_at is None:
        token.revoked_at, token.revoked_reason = now, reason
        token.save(update_fields=["revoked_at", "revoked_reason"])
    return token


def revoke_all_tokens(*, user_id: int, now: datetime, reason: str) -> int:
    """End every live token of a user (deactivated, password changed): returns how many."""
    return ApiToken.objects.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason
    )


def deactivate_user(*, user: AbstractBaseUser, now: datetime | None = None) -> int:
    """Deactivate a user and revoke every token of theirs for good: reactivated, they sign in
    again (issue 15 item 2; before, reactivation gave every old token back). Returns how many."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return revoke_all_tokens(user_id=user.pk, now=now or timezone.now(), reason=DEACTIVATED)


def tokens_of(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too: the list says which)."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def token_state(token: ApiToken, *, password_hash: str, now: datetime) -> str:
    """What the list shows: active, expired, revoked, or ended by a password change."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    if not constant_time_compare(token.password_stamp, password_stamp(password_hash)):
        return "password_changed"
    return "active"

import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser

from accounts.models import ApiToken, token_digest
from core.errors import DomainError


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    kind = "forbidden"
    default_message = "Wrong username or password."


def issue_token(*, user: AbstractBaseUser, label: str = "") -> str:
    """Create an API token for `user` and return it. Only its digest is stored, so this is
    the one moment the raw token exists."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user_id=user.pk, digest=token_digest(raw), label=label)
    return raw


def login_for_token(*, username: str, password: str, label: str = "api") -> str:
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise InvalidCredentials
    return issue_token(user=user, label=label)

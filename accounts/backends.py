from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone

from accounts.throttle import check_sign_in_allowed, client_address, record_failure, record_success
from core.querycache import CompiledQuery, Sendable, run_together

# Every signed-in request reads its user once (AuthenticationMiddleware): SQL compiled once per
# process (core.querycache), as the session's read is (core.sessions).
_USER = CompiledQuery(User, lambda *, pk: User.objects.filter(pk=pk)[:1])
# (user id, its row or None) read by `user_along_with` for the `get_user` it is about to call.
_READ_ALONG: ContextVar[tuple[int, User | None] | None] = ContextVar("accounts_user_read_along", default=None)
S = TypeVar("S", bound=Sendable)


class ThrottledModelBackend(ModelBackend):
    """Django's user name and password check, throttled (X6): every sign-in goes through here
    (the sign-in page, the admin's, the API token endpoint). A locked-out account or address
    raises `accounts.throttle.LoginThrottled`, which Django's `authenticate()` lets through to
    the caller: the API answers 429, the pages a page saying so (accounts.middleware)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        now = timezone.now()
        # A caller without a request (the API token endpoint's service) passes the address.
        address = kwargs.pop("address", None)
        address = address if address is not None else client_address(request)
        check_sign_in_allowed(username=username, address=address, now=now)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username=username, address=address, now=now)
            return None
        record_success(username=username)
        return user

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of a session, as Django's ModelBackend finds it (inactive: None)."""
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        read = _READ_ALONG.get()
        user = read[1] if read is not None and read[0] == pk else _USER.first(pk=pk)
        return user if user is not None and self.user_can_authenticate(user) else None


def user_along_with(request: HttpRequest, companions: Callable[[int], Sequence[S]]) -> Sequence[S] | None:
    """Resolve `request.user`, its row read in the same round trip as `companions(user_id)`:
    queries that need the signed-in user's id (the portal's household). The id is the one the
    session names; Django's own `get_user` then checks it as always (the backend, an active
    user, the session's password hash, else the session is flushed), only the row comes from
    this round trip (if `request.user` was resolved before, that one is kept and this row goes
    unused). Returns the companions, answered, when that user is signed in; None for a
    visitor or a session Django refused, whose companions are never used."""
    try:
        user_id = int(request.session[SESSION_KEY])
        ours = request.session[BACKEND_SESSION_KEY] == f"{__name__}.{ThrottledModelBackend.__name__}"
    except (KeyError, TypeError, ValueError):
        return None  # a visitor: request.user stays the lazy AnonymousUser
    if not ours:  # signed in by another backend: Django reads its user, then the companions
        return run_together(*companions(user_id)) if request.user.pk == user_id else None
    found, along = _USER.pending(pk=user_id), companions(user_id)
    run_together(found, *along)
    rows = found.objects()
    token = _READ_ALONG.set((user_id, rows[0] if rows else None))
    try:
        signed_in = request.user.is_authenticated and request.user.pk == user_id
    finally:
        _READ_ALONG.reset(token)
    return along if signed_in else None

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone

from accounts.throttle import check_sign_in_allowed, client_address, record_failure, record_success
from core.querycache import CompiledQuery

# Every signed-in request reads its user once (AuthenticationMiddleware): SQL compiled once per
# process (core.querycache), as the session's read is (core.sessions).
_USER = CompiledQuery(User, lambda *, pk: User.objects.filter(pk=pk)[:1])


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
        user = _USER.first(pk=pk)
        return user if user is not None and self.user_can_authenticate(user) else None

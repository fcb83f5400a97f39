from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.throttle import LoginThrottled, lockout_words
from core.middleware import API_PREFIX


class LoginThrottleMiddleware:
    """A sign-in page (ours or the admin's) refused for too many failures answers 429 with
    Retry-After and a page that says so, instead of an error. The API answers in its own shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, LoginThrottled) or request.path_info.startswith(API_PREFIX):
            return None
        response = render(
            request,
            "accounts/throttled.html",
            {"message": lockout_words(exception.retry_after), "retry_url": request.get_full_path()},
            status=429,
        )
        response["Retry-After"] = str(exception.retry_after)
        return response

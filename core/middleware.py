"""Middleware of our own: Django's, scoped to the requests that use it."""

from collections.abc import Awaitable, Callable

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from core.errors import control_character_in

API_PREFIX = "/api/"
# The longest request target (path and query string, as sent) the API reads, in bytes: answered
# 414 in the API's shape above it. Below gunicorn's own limit (registrar/gunicorn_conf.py
# limit_request_line, 8190), so that the API's answer, not the HTTP server's HTML page, is the
# one a client gets for a long address (issue 15: every answer documented, every error JSON).
MAX_REQUEST_TARGET = 4096


class PageMessageMiddleware(MessageMiddleware):
    """Django's messages ("Saved.", "Could not delete ...") for the pages, not for the JSON API,
    which never shows them: setting up their storage on every request was about 2.5 % of an add
    to cart (bench/instructions.py). Still a MessageMiddleware, as the admin's check requires."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)


def _refusal(status: int, code: str, message: str, **details: object) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": details}, status=status)


class ApiGuardMiddleware:
    """What no API view should ever see (issue 15: no 500 from any input): a body larger than
    `DATA_UPLOAD_MAX_MEMORY_SIZE` is answered 413 before it is read (the webhook too), an
    address longer than `MAX_REQUEST_TARGET` 414, and a path with a control character (a NUL,
    which PostgreSQL cannot even compare) is the same 404 as any unknown path. All in the API's
    JSON shape; pages are left to Django."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(API_PREFIX):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return _refusal(400, "bad_request", "The Content-Length header is not a number.")
            if limit is not None and length > limit:
                return _refusal(
                    413, "payload_too_large", f"The request body is larger than {limit} bytes.", limit=limit
                )
            # as sent: the path's UTF-8 and the query string's own bytes (WSGI gives them as latin-1)
            query = request.META.get("QUERY_STRING", "")
            target = len(request.path_info.encode()) + (len(query) + 1 if query else 0)
            if target > MAX_REQUEST_TARGET:
                return _refusal(
                    414,
                    "uri_too_long",
                    f"The address is {target} bytes long; the most this API reads is {MAX_REQUEST_TARGET}.",
                    limit=MAX_REQUEST_TARGET,
                )
            if control_character_in(request.path_info):
                return _refusal(404, "not_found", "Not found.")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends `settings.CONTENT_SECURITY_POLICY` with every answer that has none of its own:
    scripts, styles, fonts and images from this site only, no inline script or style (the
    pages have none by design: docs/ui.md), no plugins, no framing. Empty turns it off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class PageNulGuardMiddleware:
    """A page's query string or form holding a NUL is a 400 (the site's Bad request page), as the
    API's control-character check is: PostgreSQL cannot even compare text with a NUL, so a search
    such as ?q=a%00b was a 500 there. Forms' CharFields refuse it already; this covers every value
    a view reads itself (request.GET["q"], request.POST["from"], ...). Files are not looked at."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith(API_PREFIX):
            forms = [request.GET]
            if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                forms.append(request.POST)
            for form in forms:
                if any("\x00" in text for key, values in form.lists() for text in (key, *values)):
                    raise BadRequest("A NUL character in the request.")
        return self.get_response(request)

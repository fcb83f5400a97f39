"""Middleware of our own: Django's, scoped to the requests that use it."""

from collections.abc import Awaitable

from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest, HttpResponseBase

API_PREFIX = "/api/"


class PageMessageMiddleware(MessageMiddleware):
    """Django's messages ("Saved.", "Could not delete ...") for the pages, not for the JSON API,
    which never shows them: setting up their storage on every request was about 2.5 % of an add
    to cart (bench/instructions.py). Still a MessageMiddleware, as the admin's check requires."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)

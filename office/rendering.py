"""Rendering an office page or, for an htmx request, the named partial of the same template
(django-template-partials, docs/ui.md): one copy of the markup for both."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def page_or_partial(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole page, or only `{% partialdef partial %}` of it when htmx asked (and did not
    ask for the whole page by boosting)."""
    htmx = getattr(request, "htmx", None)
    wants_partial = bool(htmx and not htmx.boosted and not htmx.history_restore_request)
    return render(request, f"{template}#{partial}" if wants_partial else template, context, status=status)

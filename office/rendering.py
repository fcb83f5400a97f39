"""Rendering an office page or, for an htmx request, the named partial of the same template
(django-template-partials, docs/ui.md): one copy of the markup for both."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import DomainError

# A refusal's status by its kind, on every page as in the API: a missing permission is 403.
STATUS_OF_KIND = {"invalid": 400, "not_found": 404, "conflict": 409, "forbidden": 403, "busy": 409}


def refusal_status(refused: DomainError) -> int:
    return STATUS_OF_KIND.get(refused.kind, 400)


def page_or_partial(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole page, or only `{% partialdef partial %}` of it when htmx asked (and did not
    ask for the whole page by boosting)."""
    htmx = getattr(request, "htmx", None)
    wants_partial = bool(htmx and not htmx.boosted and not htmx.history_restore_request)
    return render(request, f"{template}#{partial}" if wants_partial else template, context, status=status)


def back_to(request: HttpRequest, slug: str, default: str) -> str:
    """Where an action returns: the form's `next` when it is a page of this organization's
    office (the Pending list with its filters, say), else `default`. Never another site."""
    wanted = request.POST.get("next", "") if request.method == "POST" else ""
    prefix = f"/office/{slug}/"
    if wanted.startswith(prefix) and "\\" not in wanted and "//" not in wanted:
        return wanted
    return default

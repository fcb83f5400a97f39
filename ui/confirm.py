"""The confirmation step before a destructive POST ("Are you sure?"), with or without JavaScript.

The page's own form posts to the action as usual. The action view asks first:

    def delete_hold(request, slug, pk):
        if not is_confirmed(request):
            return ask_to_confirm(request, question=_("Delete this hold?"),
                                  consequence=_("The seat goes back on sale at once."),
                                  confirm_label=_("Delete the hold"), cancel_url=back)
        ...  # call the service, then redirect

The question page posts the same fields again to the same URL with confirmed=yes. For an htmx
request only the question (a partial of ui/confirm.html) is rendered, to swap in place.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CONFIRM_FIELD = "confirmed"
NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def ask_to_confirm(
    request: HttpRequest,
    *,
    confirm_label: str,
    cancel_url: str,
    question: str | None = None,
    consequence: str = "",
    action_url: str | None = None,
) -> HttpResponse:
    """The question, with the request's POST fields carried over (a GET carries none)."""
    carried = [(name, value) for name, values in request.POST.lists() if name not in NOT_CARRIED for value in values]
    context = {
        "question": question or _("Are you sure?"),
        "consequence": consequence,
        "confirm_label": confirm_label,
        "cancel_url": cancel_url,
        "action_url": action_url or request.get_full_path(),
        "carried": carried,
        "confirm_field": CONFIRM_FIELD,
        "heading_level": 2 if getattr(request, "htmx", False) else 1,
    }
    template = "ui/confirm.html#confirmation" if getattr(request, "htmx", False) else "ui/confirm.html"
    return render(request, template, context)

"""The sandbox provider's hosted payment page (payments.providers.sandbox): what a customer
sees at the "provider" when an organization uses the sandbox, as in `make run`."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from payments.models import SandboxCheckout
from payments.providers.sandbox import choose_on_sandbox_page, sandbox_page


@require_http_methods(["GET", "POST"])
def sandbox_payment_page(request: HttpRequest, session_id: str) -> HttpResponse:
    """GET shows the amount, the organization and three buttons; POST records the choice
    (which schedules the provider's webhook) and redirects back here to show it."""
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        if choice not in SandboxCheckout.Choice.values:
            return render(request, "portal/sandbox_pay.html", _context(session_id, error=True), status=400)
        if choose_on_sandbox_page(token=session_id, choice=choice) is None:
            raise Http404("No such payment.")
        return redirect(request.path)
    return render(request, "portal/sandbox_pay.html", _context(session_id))


def _context(session_id: str, *, error: bool = False) -> dict[str, object]:
    page = sandbox_page(token=session_id)
    if page is None:
        raise Http404("No such payment.")
    return {"page": page, "choices": SandboxCheckout.Choice, "error": error, "ui_brand": _("Sandbox payments")}

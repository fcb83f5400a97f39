"""Payments and alerts (issue 13, item 5; P4, N6): the organization's inbox of what staff must
look at (money that arrived for a deleted registration, an overpayment kept as credit, a refund
owed, an email refused for good), each resolved with one button, audited."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import DomainError
from office.access import OfficeRequest, staff_page
from office.rendering import page_or_partial
from organizations.models import Permission
from payments.desk import resolve_alert
from payments.desk_selectors import alerts_inbox
from payments.models import StaffAlert

PAGE_SIZE = 50


@staff_page(Permission.TAKE_PAYMENTS)
def inbox(request: OfficeRequest) -> HttpResponse:
    """GET ?kind=late_payment&show=resolved: open alerts (or resolved ones), newest first."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in StaffAlert.Kind.values else ""
    resolved = request.GET.get("show") == "resolved"
    alerts = alerts_inbox(organization_id=request.organization.pk, kind=kind, resolved=resolved)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(alert, _household_of(alert)) for alert in page.object_list]
    return page_or_partial(
        request,
        "office/money/alerts.html",
        "results",
        {"rows": rows, "page_obj": page, "kinds": StaffAlert.Kind.choices, "kind": kind, "resolved": resolved},
    )


def _household_of(alert: StaffAlert) -> object:
    if alert.payment is not None:
        return alert.payment.household
    if alert.order is not None:
        return alert.order.household
    return None


@staff_page(Permission.TAKE_PAYMENTS, methods=("POST",))
def resolve(request: OfficeRequest, alert_id: int) -> HttpResponse:
    try:
        resolve_alert(membership=request.membership, alert_id=alert_id)
        messages.success(request, _("The alert is resolved."))
    except DomainError as refused:
        messages.error(request, str(refused))
    return redirect(reverse("office:alerts", kwargs={"slug": request.organization.slug}))

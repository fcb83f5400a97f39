"""Setup > Absence reasons (A2, A5): the organization's list, which ones customers may use; as
CSV with ?format=csv."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from attendance.selectors import all_absence_reasons
from attendance.services import add_absence_reason, change_absence_reason
from audit.models import Channel
from core.errors import DomainError
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from organizations.models import Permission
from ui.tables import Column, Table


@staff_page(Permission.MANAGE_SETTINGS, methods=("GET", "POST"))
def absence_reasons(request: OfficeRequest) -> HttpResponse:
    """GET: the list. POST name=...: add one. POST reason=<id> with usable/active: change it."""
    refusal = ""
    if request.method == "POST":
        try:
            if request.POST.get("reason"):
                change_absence_reason(
                    membership=request.membership,
                    reason_id=int(request.POST["reason"]) if request.POST["reason"].isdigit() else 0,
                    channel=Channel.OFFICE,
                    is_customer_usable=request.POST.get("usable") == "yes",
                    is_active=request.POST.get("active") == "yes",
                )
                messages.success(request, _("The reason was changed."))
            else:
                add_absence_reason(
                    membership=request.membership,
                    name=request.POST.get("name", ""),
                    is_customer_usable=request.POST.get("usable") == "yes",
                    channel=Channel.OFFICE,
                )
                messages.success(request, _("The reason was added."))
            return redirect("office:setup_absence_reasons", slug=request.organization.slug)
        except DomainError as refused:
            refusal = str(refused)
    reasons = all_absence_reasons(organization_id=request.organization.pk)
    if request.GET.get("format") == "csv":  # the page's rows carry forms: a table made for the export
        table = Table(
            caption=_("Absence reasons"),
            columns=[Column(_("Reason")), Column(_("Customers may use it")), Column(_("In use"))],
            rows=[
                [r.name, _("yes") if r.is_customer_usable else _("no"), _("yes") if r.is_active else _("retired")]
                for r in reasons
            ],
        )
        return csv_response(table, f"{request.organization.slug}-absence-reasons.csv")
    return render(request, "office/setup/absence_reasons.html", {"reasons": reasons, "refusal": refusal})

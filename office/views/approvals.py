"""Rental approvals (S6): the requests waiting for the office, oldest first; approve (the
order is invoiced on account, payable online) or decline (the time released, the customer
emailed), each with a note for the customer."""

from datetime import tzinfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from organizations.models import Permission
from rentals.models import RentalRequest
from rentals.selectors import requests_of_organization
from rentals.services import approve_request, decline_request
from ui.tables import Column, Table


@staff_page(Permission.ENROLL, methods=("GET", "POST"))
def approvals(request: OfficeRequest) -> HttpResponse:
    """GET: the queue and the latest decisions. POST request=<id>, action=approve|decline, note."""
    refusal = ""
    if request.method == "POST":
        raw = request.POST.get("request", "")
        request_id = int(raw) if raw.isdigit() else 0
        note = request.POST.get("note", "")
        try:
            if request.POST.get("action") == "approve":
                done = approve_request(membership=request.membership, request_id=request_id, note=note)
                messages.success(
                    request,
                    _("Approved: order %(number)s is on the household's account; they were emailed.")
                    % {"number": done.order.number if done.order else ""},
                )
            else:
                decline_request(membership=request.membership, request_id=request_id, reason=note)
                messages.success(request, _("Declined: the time is free again; the household was emailed."))
            return redirect("office:approvals", slug=request.organization.slug)
        except DomainError as refused:
            refusal = str(refused)
    everything = requests_of_organization(organization_id=request.organization.pk)
    if request.GET.get("format") == "csv":
        return csv_response(_table(list(everything), request.organization.zone), "rental-requests.csv")
    pending = list(everything.filter(status=RentalRequest.Status.PENDING))
    decided = list(everything.exclude(status=RentalRequest.Status.PENDING).order_by("-decided_at", "-pk")[:20])
    now = timezone.now()
    return render(
        request,
        "office/approvals.html",
        {
            "waiting": [r for r in pending if r.starts_at > now],
            "lapsed": [r for r in pending if r.starts_at <= now],
            "decided": decided,
            "refusal": refusal,
        },
    )


def _table(rows: list[RentalRequest], zone: tzinfo) -> Table:
    """Every request of the organization, for the CSV export."""
    return Table(
        caption=_("Rental requests"),
        columns=[
            Column(_("Facility")),
            Column(_("Starts")),
            Column(_("Ends")),
            Column(_("Household")),
            Column(_("Total"), numeric=True),
            Column(_("Status")),
            Column(_("Their note")),
            Column(_("Decision note")),
            Column(_("Order")),
        ],
        rows=[
            [
                r.facility.name,
                timezone.localtime(r.starts_at, zone).isoformat(timespec="minutes"),
                timezone.localtime(r.ends_at, zone).isoformat(timespec="minutes"),
                r.household.name,
                r.total,
                r.get_status_display(),
                r.note,
                r.decision_note,
                r.order.number if r.order else "",
            ]
            for r in rows
        ],
    )

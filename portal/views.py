from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from capacity.selectors import organizations_overview
from ui.entry_points import organization_links
from ui.tables import Column, Link, Table


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: the organizations on this installation with live seat counts, each with
    links to its customer portal and office once those pages exist, and where to find the API."""
    rows = [
        [
            row.organization.name,
            row.organization.time_zone,
            row.offerings,
            row.seats_held,
            row.seats_registered,
            [
                *organization_links(row.organization.slug),
                Link(_("Catalog (JSON)"), f"/api/v1/orgs/{row.organization.slug}/offerings"),
            ],
        ]
        for row in organizations_overview(now=timezone.now())
    ]
    table = Table(
        caption=_("Organizations"),
        columns=[
            Column(_("Organization")),
            Column(_("Time zone")),
            Column(_("Offerings"), numeric=True),
            Column(_("Seats held in carts"), numeric=True),
            Column(_("Registrations"), numeric=True),
            Column(_("Go to")),
        ],
        rows=rows,
    )
    return render(request, "portal/home.html", {"table": table})

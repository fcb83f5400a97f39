"""The shop's catalog and offering pages (issue 12, item 1) and the fragment that keeps their
availability live (htmx polling, decision 0014)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from capacity.errors import UnknownOffering
from capacity.storefront import catalog_page, live_availability, meeting_locations, shop_offering
from households.models import Participant
from households.selectors import participants_by_name
from portal.access import PortalRequest, portal_page
from portal.forms import CatalogFilterForm

# How often an open catalog or offering page asks for its offerings' availability.
POLL_SECONDS = 15


def participants_of(request: PortalRequest) -> list[Participant]:
    if request.household is None:
        return []
    return participants_by_name(household_id=request.household.pk)


@portal_page()
def catalog(request: PortalRequest) -> HttpResponse:
    """Search and filters (GET, so a search is a link), one page of offerings at a time."""
    organization = request.organization
    now = timezone.now()
    today = now.astimezone(organization.zone).date()
    form = CatalogFilterForm(request.GET or None, locations=meeting_locations(organization=organization, today=today))
    if form.is_bound:
        form.is_valid()  # a bad field is shown beside itself; the valid ones still filter
    page_obj, rows = catalog_page(
        organization=organization, query=form.catalog_query(), now=now, today=today, page=request.GET.get("page")
    )
    participants = participants_of(request)
    context = {
        "form": form,
        "page_obj": page_obj,
        "rows": rows,
        "participants": participants,
        "poll_ids": ",".join(str(row.offering.pk) for row in rows),
        "poll_seconds": POLL_SECONDS,
    }
    template = "portal/catalog/list.html#results" if request.htmx else "portal/catalog/list.html"
    return render(request, template, context)


@portal_page()
def availability(request: PortalRequest) -> HttpResponse:
    """The live availability of the asked offerings, as out-of-band swaps of their tags."""
    try:
        ids = [int(part) for part in request.GET.get("ids", "").split(",") if part][:100]
    except ValueError:
        ids = []
    seats = live_availability(organization=request.organization, offering_ids=ids, now=timezone.now())
    return render(request, "portal/catalog/_availability_oob.html", {"seats": seats})


@portal_page()
def offering(request: PortalRequest, offering_id: int) -> HttpResponse:
    organization = request.organization
    try:
        row, meetings = shop_offering(organization=organization, offering_id=offering_id, now=timezone.now())
    except UnknownOffering:
        raise Http404("No such offering.") from None
    participants = participants_of(request)
    context = {
        "row": row,
        "meetings": meetings,
        "participants": participants,
        "poll_ids": str(row.offering.pk),
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "portal/catalog/offering.html", context)

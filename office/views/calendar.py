"""The facility calendar (issue 13, item 4; S5, S6): a facility's day or week as a time grid (a row
per half-hour within its bookable hours, a column per day), each half-hour free, held in a cart,
requested (awaiting approval), booked or closed, in words and by whom (a free slot whose time has
begun reads 'Started', as on the portal, and its time is not offered); staff book a time range
for a household found by name (the household search, S8) from it (office_add_rental_to_cart:
every slot of the range or none, in the household's cart on the office timer, T5). Works
without JavaScript (the search is a GET form; the booking a POST); htmx only swaps the
household choices while staff type."""

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carts.services import office_add_rental_to_cart
from catalog.selectors import facilities
from core.days import day_within_range
from core.errors import DomainError
from households.models import Household
from households.selectors import search_households
from office.access import OfficeRequest, staff_page
from office.navigation import DESK
from office.rendering import page_or_partial, refusal_status
from organizations.models import Permission
from rentals.grid import booking_times, facility_grid

STATES = {
    "free": (gettext_lazy("Free"), "success"),
    "started": (gettext_lazy("Started"), "neutral"),
    "held": (gettext_lazy("Held in a cart"), "warning"),
    "requested": (gettext_lazy("Requested, awaiting approval"), "info"),
    "booked": (gettext_lazy("Booked"), "neutral"),
    "closed": (gettext_lazy("Closed"), "neutral"),
    "unlisted": (gettext_lazy("No slot"), "neutral"),
}


@staff_page(*DESK, methods=("GET", "POST"))
def calendar(request: OfficeRequest) -> HttpResponse:
    """GET ?facility=&day=YYYY-MM-DD&view=day|week[&q=name][&household=id]. POST household, day,
    from, until[, override_reason]: book that range for the household (needs enroll)."""
    organization = request.organization
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    now = timezone.now()
    places = list(facilities(organization=organization))
    data = request.POST if request.method == "POST" else request.GET
    chosen = next((f for f in places if str(f.pk) == data.get("facility", "")), places[0] if places else None)
    day = day_within_range(data.get("day", ""), now.astimezone(zone).date())
    view = "week" if data.get("view") == "week" else "day"
    first = day - dt.timedelta(days=day.weekday()) if view == "week" else day
    days = 7 if view == "week" else 1
    refusal, status = "", 200
    if request.method == "POST":
        refusal, status = _book(request, chosen.pk if chosen else 0, day, zone)
        if not refusal:
            query = urlencode({"facility": chosen.pk if chosen else "", "day": day.isoformat(), "view": view})
            return redirect(f"{request.path}?{query}")
    query_text = data.get("q", "").strip()[:200]
    found = search_households(organization_id=organization.pk, query=query_text) if query_text else []
    picked = data.get("household", "")
    if picked.isdigit() and not any(str(h.pk) == picked for h in found):
        found = list(Household.objects.filter(organization_id=organization.pk, pk=int(picked))) + found
    grid = (
        facility_grid(organization=organization, facility_id=chosen.pk, first=first, days=days, now=now)
        if chosen
        else None
    )
    starts, ends = booking_times(grid, day=day, zone=zone, now=now) if grid else ([], [])
    context = {
        "places": places,
        "facility": chosen,
        "day": day,
        "view": view,
        "grid": grid,
        "rows": [(at, [(cell, *STATES[cell.state]) for cell in cells]) for at, cells in (grid.rows if grid else [])],
        "times": [f"{t:%H:%M}" for t in (grid.times if grid else [])],
        "starts": [f"{t:%H:%M}" for t in starts],
        "ends": [f"{t:%H:%M}" for t in ends],
        "previous": (first - dt.timedelta(days=days)).isoformat(),
        "next": (first + dt.timedelta(days=days)).isoformat(),
        "query": query_text,
        "found": found,
        "picked": picked,
        "can_book": request.membership.has_permission(Permission.ENROLL),
        "can_override": request.membership.has_permission(Permission.OVERRIDE_CAPACITY),
        "refusal": refusal,
        "form": data,
    }
    return page_or_partial(request, "office/calendar.html", "choices", context, status=status)


def _book(request: OfficeRequest, facility_id: int, day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[str, int]:
    household_id = request.POST.get("household", "")
    household = (
        Household.objects.filter(organization_id=request.organization.pk, pk=int(household_id))
        .select_related("organization")
        .first()
        if household_id.isdigit()
        else None
    )
    if household is None:
        return _("Choose the household: type a name, search, then pick one."), 400
    try:
        starts = dt.datetime.combine(day, dt.time.fromisoformat(request.POST.get("from", "")), zone)
        ends = dt.datetime.combine(day, dt.time.fromisoformat(request.POST.get("until", "")), zone)
    except ValueError:
        return _("Choose when the rental starts and ends."), 400
    try:
        office_add_rental_to_cart(
            membership=request.membership,
            household=household,
            facility_id=facility_id,
            starts_at=starts,
            ends_at=ends,
            override_reason=request.POST.get("override_reason", "").strip() or None,
        )
    except DomainError as refused:
        return str(refused), refusal_status(refused)
    messages.success(
        request, _("The time is held in %(name)s's cart; check it out to book it.") % {"name": household.name}
    )
    return "", 200

"""The facility calendar (issue 13, item 4; S5, S6): a facility's day or week, each rental slot
free, held in a cart, requested (awaiting approval) or booked, and by whom; staff book a time
range for a household from it (office_add_rental_to_cart: every slot of the range or none, in
the household's cart on the office timer, T5)."""

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from capacity.calendar import facility_calendar
from carts.services import office_add_rental_to_cart
from catalog.selectors import facilities
from core.errors import DomainError
from households.models import Household
from office.access import OfficeRequest, staff_page
from office.navigation import DESK
from organizations.models import Permission

STATUS_OF_KIND = {"invalid": 400, "not_found": 404, "conflict": 409, "forbidden": 403, "busy": 409}
TAGS = {"free": "success", "held": "warning", "requested": "info", "booked": "neutral"}


def _label(state: str) -> str:
    return {
        "free": _("Free"),
        "held": _("Held in a cart"),
        "requested": _("Requested, awaiting approval"),
        "booked": _("Booked"),
    }[state]


def _day(value: str, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return today


@staff_page(*DESK, methods=("GET", "POST"))
def calendar(request: OfficeRequest) -> HttpResponse:
    """GET ?facility=&day=YYYY-MM-DD&view=day|week[&household=]. POST household, day, from,
    until: book that range for the household (needs enroll)."""
    zone = zoneinfo.ZoneInfo(request.organization.time_zone)
    now = timezone.now()
    places = list(facilities(organization=request.organization))
    data = request.POST if request.method == "POST" else request.GET
    chosen = next((f for f in places if str(f.pk) == data.get("facility", "")), places[0] if places else None)
    day = _day(data.get("day", ""), now.astimezone(zone).date())
    view = "week" if data.get("view") == "week" else "day"
    first = day - dt.timedelta(days=day.weekday()) if view == "week" else day
    days = 7 if view == "week" else 1
    refusal, status = "", 200
    if request.method == "POST":
        refusal, status = _book(request, chosen.pk if chosen else 0, day, zone)
        if not refusal:
            return redirect(f"{request.path}?facility={chosen.pk if chosen else ''}&day={day.isoformat()}&view={view}")
    start = dt.datetime.combine(first, dt.time(0), zone)
    lines = (
        facility_calendar(
            organization_id=request.organization.pk,
            facility_id=chosen.pk,
            start=start,
            end=start + dt.timedelta(days=days),
            now=now,
        )
        if chosen
        else []
    )
    by_day: dict[dt.date, list[object]] = {first + dt.timedelta(days=i): [] for i in range(days)}
    for line in lines:
        local = line.slot.starts_at.astimezone(zone).date()  # type: ignore[union-attr]
        by_day.setdefault(local, []).append((line, _label(line.state), TAGS[line.state]))
    return render(
        request,
        "office/calendar.html",
        {
            "places": places,
            "facility": chosen,
            "day": day,
            "view": view,
            "by_day": sorted(by_day.items()),
            "previous": (first - dt.timedelta(days=days)).isoformat(),
            "next": (first + dt.timedelta(days=days)).isoformat(),
            "household": data.get("household", ""),
            "can_book": request.membership.has_permission(Permission.ENROLL),
            "refusal": refusal,
            "form": data,
        },
        status=status,
    )


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
        return _("Enter the number of a household of this organization."), 400
    try:
        starts = dt.datetime.combine(day, dt.time.fromisoformat(request.POST.get("from", "")), zone)
        ends = dt.datetime.combine(day, dt.time.fromisoformat(request.POST.get("until", "")), zone)
    except ValueError:
        return _("Enter the times as hours and minutes, for example 18:00."), 400
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
        return str(refused), STATUS_OF_KIND[refused.kind]
    messages.success(
        request, _("The time is held in %(name)s's cart; check it out to book it.") % {"name": household.name}
    )
    return "", 200

"""Facility rentals in the portal (S5, S6): choose a facility, see a day or a week of its time
(its bookable openings, each slot free or taken, never by whom), choose a range and put it in
the cart, or, for a facility that needs the office's approval, send a request that holds the
time until the office decides. Withdraw a request still waiting. Every form posts and
redirects without JavaScript; the API does the same (api/rentals.py, api/carts.py)."""

import datetime as dt
from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dateformat import time_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Channel
from capacity.errors import CapacityShortfall
from carts.errors import ItemNotFound, RegistrationClosed, RegistrationNotOpen
from carts.services import add_rental_to_cart
from catalog.models import Facility
from catalog.selectors import facilities
from core.days import day_within_range
from core.errors import DomainError
from monitoring import counters
from portal.access import PortalRequest, portal_page
from rentals.errors import RentalRequestDecided, RentalRequestNotFound
from rentals.selectors import FacilityDay, facility_days
from rentals.services import request_rental, withdraw_request

STATE_WORDS = {
    "free": (gettext_lazy("Free"), "success"),
    "taken": (gettext_lazy("Taken"), "neutral"),
    "started": (gettext_lazy("Started"), "neutral"),
    "yours_held": (gettext_lazy("In your cart"), "info"),
    "yours_requested": (gettext_lazy("Requested, waiting for approval"), "warning"),
    "yours_booked": (gettext_lazy("Booked by you"), "info"),
}


def rental_refusal_words(error: DomainError) -> str:
    """A refused booking in the words a family reads: what happened and what to do."""
    if isinstance(error, CapacityShortfall):
        return _("Part of that time is already taken. Choose a range of free time only.")
    if isinstance(error, RegistrationNotOpen):
        return _("Booking for that time is not open yet.")
    if isinstance(error, RegistrationClosed):
        return _("Booking for that time has closed.")
    if isinstance(error, RentalRequestDecided):
        return _("The office has already decided this request, so it can no longer be withdrawn.")
    return str(error)  # the services' own sentences: outside the opening hours, over the household's share


def _day(value: str, today: dt.date) -> dt.date:
    return max(day_within_range(value, today), today)


def _page_url(request: PortalRequest, facility_id: int, day: dt.date, view: str = "day") -> str:
    query = urlencode({"facility": str(facility_id), "day": day.isoformat(), "view": view})
    return f"{reverse('portal:rentals', args=[request.organization.slug])}?{query}"


@portal_page()
def rentals(request: PortalRequest) -> HttpResponse:
    """GET ?facility=&day=YYYY-MM-DD&view=day|week: the facility's time, and the booking form."""
    organization = request.organization
    now = timezone.now()
    today = now.astimezone(organization.zone).date()
    places = list(facilities(organization=organization))
    chosen = next((f for f in places if str(f.pk) == request.GET.get("facility", "")), places[0] if places else None)
    day = _day(request.GET.get("day", ""), today)
    view = "week" if request.GET.get("view") == "week" else "day"
    first = max(day - dt.timedelta(days=day.weekday()), today) if view == "week" else day
    count = (7 - first.weekday()) if view == "week" else 1
    days: list[FacilityDay] = []
    if chosen is not None:
        _facility, days = facility_days(
            organization=organization,
            facility_id=chosen.pk,
            first=first,
            days=count,
            now=now,
            household_id=request.household.pk if request.household else None,
        )
    step = dt.timedelta(days=7 if view == "week" else 1)
    booking_day = days[0] if view == "day" and days else None
    free = [s for s in booking_day.slots if s.state == "free"] if booking_day else []
    return render(
        request,
        "portal/rentals/rentals.html",
        {
            "places": places,
            "facility": chosen,
            "day": day,
            "view": view,
            "days": [(d, [(slot, *STATE_WORDS[slot.state]) for slot in d.slots]) for d in days],
            "previous": max(first - step, today) if first > today else None,
            "next": first + step if view == "day" else first + dt.timedelta(days=count),
            "booking_day": booking_day,
            # times on the organization's clock: the form posts HH:MM back and shows 5:00 p.m.
            "starts": [s.starts_at.astimezone(organization.zone).time() for s in free],
            "ends": [s.ends_at.astimezone(organization.zone).time() for s in free],
            "form": request.GET,
        },
    )


def _time(day: dt.date, value: str, zone: dt.tzinfo) -> dt.datetime | None:
    try:
        return dt.datetime.combine(day, dt.time.fromisoformat(value), zone)
    except ValueError:
        return None


@portal_page(methods=("POST",), customer=True)
def book(request: PortalRequest) -> HttpResponse:
    """POST facility, day, from, until (HH:MM, the organization's time zone), note: the range in
    the cart, or, for a facility that needs approval, a request holding it (S6)."""
    assert request.household is not None  # portal_page(customer=True)
    organization = request.organization
    try:
        facility_id = int(request.POST.get("facility", ""))
    except ValueError:
        raise Http404("No such facility.") from None
    facility = Facility.objects.filter(organization_id=organization.pk, pk=facility_id).first()
    if facility is None:
        raise Http404("No such facility.")
    today = timezone.now().astimezone(organization.zone).date()
    day = _day(request.POST.get("day", ""), today)
    back = _page_url(request, facility.pk, day)
    starts = _time(day, request.POST.get("from", ""), organization.zone)
    ends = _time(day, request.POST.get("until", ""), organization.zone)
    if starts is None or ends is None:
        messages.error(request, _("Choose when the rental starts and when it ends."))
        return redirect(back)
    if ends <= starts:
        messages.error(request, _("Choose an end after the start."))
        return redirect(back)
    when = {
        "name": facility.name,
        "day": dateformat.format(day, "l j F"),  # the month and day names of the organization's locale
        "from": time_format(starts.time(), "g:i a"),
        "until": time_format(ends.time(), "g:i a"),
    }
    # S6: a facility that needs approval gets a request that holds the time until the office decides.
    hold: Callable[..., object] = (
        partial(request_rental, note=request.POST.get("note", "")[:500])
        if facility.requires_approval
        else add_rental_to_cart
    )
    try:
        hold(
            household=request.household,
            facility_id=facility.pk,
            starts_at=starts,
            ends_at=ends,
            channel=Channel.PORTAL,
            actor_id=request.user.pk,
        )
    except ItemNotFound:
        raise Http404("No such facility.") from None
    except DomainError as error:
        counters.count_refusal("add", Channel.PORTAL, error.code)
        messages.error(request, rental_refusal_words(error))
        return redirect(back)
    counters.count_add(Channel.PORTAL)
    if facility.requires_approval:
        messages.success(
            request,
            _(
                "Requested, waiting for approval: %(name)s on %(day)s, %(from)s to %(until)s. The time is held for "
                "you until the office decides; we will email you. You can follow it on your account page."
            )
            % when,
        )
        return redirect(back)
    messages.success(
        request, _("%(name)s on %(day)s, %(from)s to %(until)s is in your cart: check out to book it.") % when
    )
    return redirect("portal:cart", organization.slug)


@portal_page(methods=("POST",), customer=True)
def withdraw(request: PortalRequest, request_id: int) -> HttpResponse:
    """Withdraw a request still waiting for the office: its time is free at once."""
    assert request.household is not None  # portal_page(customer=True)
    try:
        withdraw_request(
            household=request.household, request_id=request_id, channel=Channel.PORTAL, actor_id=request.user.pk
        )
    except RentalRequestNotFound:
        raise Http404("No such rental request.") from None
    except DomainError as error:
        messages.error(request, rental_refusal_words(error))
    else:
        messages.success(request, _("Your request was withdrawn; the time is free again."))
    return redirect("portal:account", request.organization.slug)

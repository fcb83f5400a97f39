"""Enrolling at the desk (S3, S4, C6, T5): a household's cart as the office holds it, with the
class, camp and membership wizards and rental booking by time range; taking over a cart the
family started (an explicit step), removing, checking out. Holds in other carts count as taken:
every choice shows held seats beside confirmed ones, and a choice that would need a held seat
says so before anything is tried."""

import datetime as dt
from decimal import Decimal
from typing import cast

from django import forms
from django.contrib import messages
from django.core.validators import MaxLengthValidator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Channel
from capacity.catalog import OfferingWithAvailability, catalog_offerings
from capacity.errors import CapacityShortfall
from carts.selectors import open_cart_view
from carts.services import (
    office_add_rental_to_cart,
    office_add_to_cart,
    office_remove_from_cart,
    take_over_cart,
)
from carts.services.adding import OVERRIDE_REASON_MAX
from catalog.models import Offering
from catalog.selectors import facilities
from core.errors import DomainError
from households.models import Household
from households.selectors import participants_by_name
from monitoring import counters
from office.access import OfficeRequest, staff_page
from office.rendering import refusal_status
from office.views.households import desk_household
from office.words import CHANNELS, TIMERS, minutes_left
from organizations.models import Permission
from payments.checkout import office_checkout
from ui.forms import DayField

WIZARDS = (
    (Offering.Kind.CLASS, gettext_lazy("Classes")),
    (Offering.Kind.CAMP, gettext_lazy("Camps")),
    (Offering.Kind.MEMBERSHIP, gettext_lazy("Memberships")),
)
CHOICES_PER_KIND = 200


def seats_words(row: OfferingWithAvailability) -> str:
    """S4, C5: held seats beside confirmed ones, and unpaid (tentative) registrations apart from
    confirmed ones when there are any, in the words a choice shows."""
    seats = row.availability
    taken = _("%(confirmed)s confirmed") % {"confirmed": seats.confirmed}
    if seats.tentative:
        taken += ", " + _("%(unpaid)s unpaid") % {"unpaid": seats.tentative}
    if seats.capacity is None:
        return _("%(taken)s, %(held)s held, no limit") % {"taken": taken, "held": seats.held}
    words = _("%(free)s free; %(taken)s, %(held)s held in carts") % {
        "free": seats.free,
        "taken": taken,
        "held": seats.held,
    }
    if seats.free == 0 and seats.held:
        words += " — " + _("full unless a held seat comes back")
    elif seats.free == 0:
        words += " — " + _("full")
    return words


def desk_choices(request: OfficeRequest) -> dict[int, OfferingWithAvailability]:
    """The classes, camps and memberships staff may enroll in, with live availability (C5)."""
    now = timezone.now()
    rows: dict[int, OfferingWithAvailability] = {}
    for kind, _label in WIZARDS:
        _total, page = catalog_offerings(organization=request.organization, now=now, kind=kind, limit=CHOICES_PER_KIND)
        rows |= {row.offering.pk: row for row in page}
    return rows


# No maxlength on the input: a browser cuts a longer paste short without a word. The server
# refuses it whole, beside the field, naming the limit (C6's reason is kept in full or not at all).
REASON_LIMIT = MaxLengthValidator(
    OVERRIDE_REASON_MAX,
    gettext_lazy("The reason may be at most %(limit_value)d characters; this one has %(show_value)d."),
)


class EnrollForm(forms.Form):
    offering = forms.TypedChoiceField(label=gettext_lazy("Class, camp or membership"), coerce=int)
    participant = forms.TypedChoiceField(label=gettext_lazy("Participant"), coerce=int)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason to enroll beyond capacity"),
        required=False,
        help_text=gettext_lazy("Only to exceed capacity on purpose, at most 500 characters; recorded with your name."),
        validators=[REASON_LIMIT],
    )

    def __init__(
        self, *args: object, household: Household, rows: dict[int, OfferingWithAvailability], **kwargs: object
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        groups = []
        for kind, label in WIZARDS:
            options = [
                (row.offering.pk, f"{row.offering.name} ({seats_words(row)})")
                for row in rows.values()
                if row.offering.kind == kind
            ]
            if options:
                groups.append((str(label), options))
        cast(forms.ChoiceField, self.fields["offering"]).choices = [("", _("Choose…")), *groups]
        cast(forms.ChoiceField, self.fields["participant"]).choices = [
            (p.pk, p.full_name) for p in participants_by_name(household_id=household.pk)
        ]


class RentalForm(forms.Form):
    facility = forms.TypedChoiceField(label=gettext_lazy("Facility"), coerce=int)
    day = DayField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=gettext_lazy("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    rental_override_reason = forms.CharField(
        label=gettext_lazy("Reason to double-book"),
        required=False,
        help_text=gettext_lazy(
            "Only to book time already held or booked, at most 500 characters; recorded with your name."
        ),
        validators=[REASON_LIMIT],
    )

    def __init__(self, *args: object, request: OfficeRequest, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["facility"]).choices = [
            (f.pk, f.name) for f in facilities(organization=request.organization)
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("The end must be after the start."))
        return data


def enroll_page(
    request: OfficeRequest,
    household: Household,
    *,
    form: EnrollForm | None = None,
    rental: RentalForm | None = None,
    rows: dict[int, OfferingWithAvailability] | None = None,
    warning: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    rows = rows if rows is not None else desk_choices(request)
    cart = open_cart_view(household=household, now=now)
    customer_cart = bool((cart.items or cart.balances) and not cart.held_by_office)
    return render(
        request,
        "office/desk/enroll.html",
        {
            "household": household,
            "cart": cart,
            "customer_cart": customer_cart,
            "form": form or EnrollForm(household=household, rows=rows),
            "rental": rental or RentalForm(request=request),
            "warning": warning,
            "time_left": minutes_left(cart.seconds_left) if cart.items or cart.balances else "",
            "cart_timer": TIMERS.get(cart.timer, cart.timer),
            "cart_channel": CHANNELS.get(cart.channel or "", cart.channel or ""),
            "can_override": request.membership.has_permission(Permission.OVERRIDE_CAPACITY),
            "can_delete": request.membership.has_permission(Permission.DELETE_ENROLLMENTS),
            "can_enroll": True,
            "can_pay": request.membership.has_permission(Permission.TAKE_PAYMENTS),
            "walkup": request.GET.get("walkup") == "1" or request.POST.get("walkup") == "1",
        },
        status=status,
    )


def back_to_enroll(request: OfficeRequest, household: Household) -> HttpResponse:
    url = reverse("office:enroll", args=[request.organization.slug, household.pk])
    walkup = request.GET.get("walkup") == "1" or request.POST.get("walkup") == "1"
    return redirect(url + ("?walkup=1" if walkup else ""))


@staff_page(Permission.ENROLL)
def enroll(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S3, S4: the household's cart and what staff can add to it. A cart the family started is
    shown with "already started a registration" and the explicit take-over step."""
    return enroll_page(request, desk_household(request, household_id))


@staff_page(Permission.ENROLL, methods=("POST",))
def add(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S4, C6: add a class, camp or membership for a participant on the office's timer (T5).
    Without a free seat the page warns first that the seat would be one held in a cart; only an
    override reason (and the permission) goes beyond capacity."""
    household = desk_household(request, household_id)
    rows = desk_choices(request)
    form = EnrollForm(request.POST, household=household, rows=rows)
    if not form.is_valid():
        return enroll_page(request, household, form=form, rows=rows, status=400)
    reason = form.cleaned_data["override_reason"].strip() or None
    row = rows[form.cleaned_data["offering"]]
    seats = row.availability
    if reason is None and seats.free == 0:
        warning = (
            _(
                "%(name)s has no free seat: %(held)s are held in other families' carts and may come back when their "
                "timers run out. Try again then, or enroll beyond capacity with a reason."
            )
            if seats.held
            else _("%(name)s is full. Only enrolling beyond capacity, with a reason, can add to it.")
        ) % {"name": row.offering.name, "held": seats.held}
        counters.count_refusal("add", Channel.OFFICE, CapacityShortfall.code)
        return enroll_page(request, household, form=form, rows=rows, warning=warning, status=409)
    try:
        office_add_to_cart(
            membership=request.membership,
            household=household,
            offering_id=row.offering.pk,
            participant_id=form.cleaned_data["participant"],
            override_reason=reason,
        )
    except DomainError as refused:
        counters.count_refusal("add", Channel.OFFICE, refused.code)
        field = "override_reason" if refused.code.startswith("override_") else "offering"
        form.add_error(field, str(refused))
        return enroll_page(request, household, form=form, rows=rows, status=refusal_status(refused))
    counters.count_add(Channel.OFFICE)
    messages.success(request, _("%(name)s is held in the cart.") % {"name": row.offering.name})
    return back_to_enroll(request, household)


@staff_page(Permission.ENROLL, methods=("POST",))
def add_rental(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S5: book a facility for a time range through the cart, every slot of it or none."""
    household = desk_household(request, household_id)
    rental = RentalForm(request.POST, request=request)
    if not rental.is_valid():
        return enroll_page(request, household, rental=rental, status=400)
    zone = request.organization.zone
    data = rental.cleaned_data
    try:
        office_add_rental_to_cart(
            membership=request.membership,
            household=household,
            facility_id=data["facility"],
            starts_at=dt.datetime.combine(data["day"], data["starts"], tzinfo=zone),
            ends_at=dt.datetime.combine(data["day"], data["ends"], tzinfo=zone),
            override_reason=data["rental_override_reason"].strip() or None,
        )
    except DomainError as refused:
        counters.count_refusal("add", Channel.OFFICE, refused.code)
        rental.add_error(None, str(refused))
        return enroll_page(request, household, rental=rental, status=refusal_status(refused))
    counters.count_add(Channel.OFFICE)
    messages.success(request, _("The facility time is held in the cart."))
    return back_to_enroll(request, household)


@staff_page(Permission.ENROLL, methods=("POST",))
def take_over(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S3: the explicit step: the office takes over the cart the family started."""
    household = desk_household(request, household_id)
    try:
        take_over_cart(membership=request.membership, household=household)
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("You took over the cart: the family's portal says the office is completing it."))
    return back_to_enroll(request, household)


@staff_page(Permission.ENROLL, methods=("POST",))
def remove(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S3: take one item out of the cart the office holds; the seat is free at once."""
    household = desk_household(request, household_id)
    claim = request.POST.get("claim", "")
    try:
        office_remove_from_cart(
            membership=request.membership, household=household, claim_id=int(claim) if claim.isdigit() else 0
        )
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The item was removed and its seat is free."))
    return back_to_enroll(request, household)


@staff_page(Permission.ENROLL, methods=("POST",))
def check_out(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S3, P1: check out the cart for the family. With something to pay and the permission to
    take payments, the next screen takes the payment (the walk-up sale)."""
    household = desk_household(request, household_id)
    try:
        result = office_checkout(membership=request.membership, household=household)
    except DomainError as refused:
        counters.count_refusal("checkout", Channel.OFFICE, refused.code)
        messages.error(request, str(refused))
        return back_to_enroll(request, household)
    counters.count_checkout(Channel.OFFICE)
    order = result.order
    if order is None:
        messages.success(request, _("The balances in the cart are ready to pay."))
        return redirect("office:household", slug=request.organization.slug, household_id=household.pk)
    messages.success(request, _("Order %(number)s was placed.") % {"number": order.number})
    if order.balance > Decimal("0") and request.membership.has_permission(Permission.TAKE_PAYMENTS):
        return redirect("office:walkup_pay", slug=request.organization.slug, order_id=order.pk)
    return redirect("office:household", slug=request.organization.slug, household_id=household.pk)

"""My account (issue 12 items 2, 6 and 8): the home page with registrations, orders and the
balances payable online (B3, B4), the participants, and the private calendar feed."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Channel
from carts.errors import ItemNotFound
from carts.selectors import orders_in_cart
from carts.services import add_balance_to_cart, remove_balance_from_cart
from core.errors import DomainError
from households import signup
from households.models import Household
from households.selectors import participants_by_name
from households.services import add_participant, change_participant
from orders.selectors import payable_balances
from payments.credit import household_credit
from portal.access import PortalRequest, portal_page
from portal.calendar import household_calendar
from portal.forms_account import ParticipantForm, show_refusal
from registrations.selectors import household_orders, household_registrations
from rentals.selectors import requests_of_household


def household_of(request: PortalRequest) -> Household:
    assert request.household is not None  # portal_page(customer=True)
    return request.household


def balances_context(household: Household) -> dict[str, object]:
    """B3, B4: the orders whose balance may be paid online, and which are in the cart already."""
    return {
        "balances": payable_balances(household=household),
        "in_cart": orders_in_cart(household=household, now=timezone.now()),
    }


@portal_page(customer=True)
def account(request: PortalRequest) -> HttpResponse:
    household = household_of(request)
    orders = list(household_orders(household=household)[:50])
    registrations = list(household_registrations(household=household)[:100])
    return render(
        request,
        "portal/account/home.html",
        {
            "orders": orders,
            "registrations": registrations,
            "participants": participants_by_name(household_id=household.pk),
            "calendar_url": _calendar_url(request, household.calendar_token) if household.calendar_token else "",
            "rental_requests": list(requests_of_household(household_id=household.pk)[:20]),  # S6
            "credit": household_credit(household_id=household.pk),  # B6: money paid beyond its orders
            **balances_context(household),
        },
    )


@portal_page(methods=("POST",), customer=True)
def add_balance(request: PortalRequest, order_id: int) -> HttpResponse:
    """B3: put an order's balance in the cart, to pay it with the rest of the cart."""
    household = household_of(request)
    if not household_orders(household=household).filter(pk=order_id).exists():
        raise Http404("No such order.")  # another household's order: as unknown (X1)
    try:
        add_balance_to_cart(household=household, order_id=order_id, channel=Channel.PORTAL, actor_id=request.user.pk)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("portal:account", request.organization.slug)
    messages.success(request, _("The balance is in your cart: check out to pay it."))
    return redirect("portal:cart", request.organization.slug)


@portal_page(methods=("POST",), customer=True)
def remove_balance(request: PortalRequest, order_id: int) -> HttpResponse:
    """B3: take an order's balance out of the cart (it stays payable from the account)."""
    household = household_of(request)
    try:
        remove_balance_from_cart(
            household=household, order_id=order_id, channel=Channel.PORTAL, actor_id=request.user.pk
        )
    except ItemNotFound:
        raise Http404("That balance is not in your cart.") from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("portal:cart", request.organization.slug)
    messages.success(request, _("The balance was taken out of your cart; you can still pay it from your account."))
    return redirect("portal:cart", request.organization.slug)


@portal_page(methods=("GET", "POST"), customer=True)
def participants(request: PortalRequest) -> HttpResponse:
    """The household's people, and a form to add one."""
    household = household_of(request)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = add_participant(
                household=household, channel=Channel.PORTAL, actor_id=request.user.pk, **form.cleaned_data
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": added.full_name})
            return redirect("portal:participants", request.organization.slug)
    return render(
        request,
        "portal/account/participants.html",
        {"form": form, "participants": participants_by_name(household_id=household.pk)},
    )


@portal_page(methods=("GET", "POST"), customer=True)
def edit_participant(request: PortalRequest, participant_id: int) -> HttpResponse:
    household = household_of(request)
    participant = household.participants.filter(pk=participant_id).first()
    if participant is None:
        raise Http404("No such participant in your household.")
    initial = {
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "date_of_birth": participant.date_of_birth,
    }
    form = ParticipantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change_participant(
                household=household,
                participant_id=participant.pk,
                channel=Channel.PORTAL,
                actor_id=request.user.pk,
                **form.cleaned_data,
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("portal:participants", request.organization.slug)
    return render(request, "portal/account/participant_edit.html", {"form": form, "participant": participant})


def _calendar_url(request: PortalRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("portal:calendar_feed", args=[request.organization.slug, token]))


@portal_page(methods=("POST",), customer=True)
def calendar_reset(request: PortalRequest) -> HttpResponse:
    """Make the feed's private URL, or a new one (the old one stops working at once)."""
    household = household_of(request)
    had_one = bool(household.calendar_token)
    signup.reset_calendar_token(household=household, channel=Channel.PORTAL, actor_id=request.user.pk)
    messages.success(
        request,
        _("Your calendar has a new private address; the old one no longer works.")
        if had_one
        else _("Your calendar's private address is ready: add it to your calendar app."),
    )
    return redirect(reverse("portal:account", args=[request.organization.slug]) + "#calendar")


@portal_page()
def calendar_feed(request: PortalRequest, token: str) -> HttpResponse:
    """The household's upcoming meetings as iCalendar, for a calendar app: no sign-in (the
    address is the secret)."""
    household = signup.household_by_calendar_token(organization_slug=request.organization.slug, token=token)
    if household is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        household_calendar(household, now=timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="registrar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response

"""Checkout -> payment -> confirmation (issue 12 item 5, decision 0015). Checkout turns the
cart into tentative registrations before the family leaves for the provider (P1, P2, H1); the
provider sends them back to the return page, which waits for the provider's webhook by htmx
polling (a "Check again" link without JavaScript) and says paid, declined (with "Pay now") or
still pending."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Channel
from carts import errors as cart_errors
from core.errors import DomainError
from monitoring import counters
from orders.policies import Share
from payments.checkout import checkout_and_request_payment
from payments.errors import ProviderUnavailable
from payments.models import PaymentSession
from payments.selectors import household_payment
from payments.services import start_online_payment
from portal.access import PortalRequest, portal_page
from portal.refusals import plain_words
from portal.views_account import household_of
from registrations.selectors import household_orders

# How often the return page asks whether the provider has reported, while it has not.
POLL_SECONDS = 2


def return_url(request: PortalRequest) -> str:
    """The return page, with "{payment}" for payments.services to fill in."""
    return request.build_absolute_uri(reverse("portal:payment_return", args=[request.organization.slug])) + (
        "?payment={payment}"
    )


def _to_provider(session: PaymentSession | None) -> HttpResponse | None:
    if session is not None and session.redirect_url and session.status == PaymentSession.Status.OPEN:
        return redirect(session.redirect_url)
    return None


@portal_page(methods=("POST",), customer=True)
def checkout(request: PortalRequest) -> HttpResponse:
    household = household_of(request)
    slug = request.organization.slug
    try:
        cart_id = int(request.POST.get("cart_id") or 0) or None
    except ValueError:
        cart_id = None
    try:
        result = checkout_and_request_payment(
            household=household,
            channel=Channel.PORTAL,
            actor_id=request.user.pk,
            cart_id=cart_id,
            return_url=return_url(request),
        )
    except ProviderUnavailable as error:  # the order exists: it is paid from the account page
        counters.count_checkout(Channel.PORTAL)
        messages.error(request, str(error))
        return redirect("portal:account", slug)
    except cart_errors.ItemNotFound:
        raise Http404("No such cart.") from None
    except DomainError as error:
        counters.count_refusal("checkout", Channel.PORTAL, error.code)
        messages.error(request, plain_words(error))
        return redirect("portal:cart", slug)
    counters.count_checkout(Channel.PORTAL)
    sent = _to_provider(result.payment)
    if sent is not None:
        return sent
    if result.payment is not None:  # a double submit after the payment finished: show it
        return redirect(reverse("portal:payment_return", args=[slug]) + f"?payment={result.payment.pk}")
    order = result.order
    if order is not None and order.balance == 0:
        messages.success(request, _("You are registered: order %(number)s is confirmed.") % {"number": order.number})
    elif order is not None:
        messages.info(
            request,
            _("Order %(number)s is saved. This organization takes payment at its office.") % {"number": order.number},
        )
    return redirect("portal:account", slug)


@portal_page(methods=("GET", "POST"), customer=True)
def pay_order(request: PortalRequest, order_id: int) -> HttpResponse:
    """P7: the page an unpaid registration's email links to. GET shows what is owed; the
    button (POST) sends the family to the provider."""
    household = household_of(request)
    order = household_orders(household=household).filter(pk=order_id).first()
    if order is None:
        raise Http404("No such order.")
    if request.method == "POST":
        if order.balance <= 0:
            messages.info(request, _("Order %(number)s is paid in full.") % {"number": order.number})
            return redirect("portal:account", request.organization.slug)
        try:
            session = start_online_payment(
                household=household,
                plan=[Share(order.pk, order.balance)],
                return_url=return_url(request),
                channel=Channel.PORTAL,
                actor_id=request.user.pk,
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            sent = _to_provider(session)
            if sent is not None:
                return sent
    return render(request, "portal/checkout/pay_order.html", {"order": order})


def _outcome(request: PortalRequest, raw: str):  # type: ignore[no-untyped-def]
    try:
        payment_id = int(raw)
    except ValueError:
        raise Http404("No such payment.") from None
    outcome = household_payment(household=household_of(request), session_id=payment_id, now=timezone.now())
    if outcome is None:
        raise Http404("No such payment.")
    return outcome


@portal_page(customer=True)
def payment_return(request: PortalRequest) -> HttpResponse:
    """Where the provider sends the family back. Pending until the webhook arrives: the page
    polls its own status fragment (htmx) until it says paid, declined or abandoned."""
    outcome = _outcome(request, request.GET.get("payment", ""))
    if request.htmx and outcome.is_pending:
        return HttpResponse(status=204)  # nothing new: htmx swaps nothing, so nothing is announced again
    context = {"outcome": outcome, "poll_seconds": POLL_SECONDS, "email": household_of(request).email}
    template = "portal/checkout/return.html#status" if request.htmx else "portal/checkout/return.html"
    return render(request, template, context)


@portal_page(methods=("POST",), customer=True)
def payment_retry(request: PortalRequest) -> HttpResponse:
    """Pay now, after a decline or an abandoned payment: what is still owed on the same orders."""
    outcome = _outcome(request, request.POST.get("payment", ""))
    plan = outcome.plan_again
    if not plan:
        messages.info(request, _("Nothing is left to pay on these orders."))
        return redirect("portal:account", request.organization.slug)
    try:
        session = start_online_payment(
            household=household_of(request),
            plan=plan,
            return_url=return_url(request),
            channel=Channel.PORTAL,
            actor_id=request.user.pk,
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(
            reverse("portal:payment_return", args=[request.organization.slug]) + f"?payment={outcome.session.pk}"
        )
    return _to_provider(session) or redirect("portal:account", request.organization.slug)

"""Checkout with payment (P1, B3, B6): the cart becomes an order, the household's credit pays what
it can, and a customer is sent to pay the rest online in one payment."""

from dataclasses import dataclass

from audit.models import Channel
from carts.services.checkout import checkout
from households.models import Household
from orders.models import Order
from payments.credit import apply_credit
from payments.models import PaymentSession
from payments.services import start_online_payment


@dataclass(frozen=True)
class CheckoutWithPayment:
    order: Order | None
    created: bool
    payment: PaymentSession | None


def checkout_and_request_payment(
    *, household: Household, channel: str, actor_id: int | None, cart_id: int | None, return_url: str
) -> CheckoutWithPayment:
    """Checkout (P1) and, for a customer with something to pay, send them to pay for the new
    order and any balances in the cart in one payment (B3), less what the household's credit
    paid (B6). The registrations are tentative
    before the customer leaves for the provider, so no cart timer can run out there (H1)."""
    result = checkout(household=household, channel=channel, actor_id=actor_id, cart_id=cart_id)
    if not result.created:
        latest = PaymentSession.objects.filter(household_id=household.pk).order_by("-pk").first()
        return CheckoutWithPayment(order=result.order, created=False, payment=latest)
    # B6: credit kept from an earlier overpayment pays first, at the desk as online.
    plan = apply_credit(household=household, plan=result.payment_plan, channel=channel, actor_id=actor_id)
    payment = None
    if plan and channel in (Channel.PORTAL, Channel.API) and household.organization.payment_provider != "none":
        payment = start_online_payment(household=household, plan=plan, return_url=return_url)
    return CheckoutWithPayment(order=result.order, created=True, payment=payment)

"""Checkout with payment (P1, B3, B6): the cart becomes an order, the household's credit pays what
it can, and a customer is sent to pay the rest online in one payment. The office's checkout
(`office_checkout`) is the same hand-off for a cart the office holds (S3), used by the office
page and the staff API alike."""

from dataclasses import dataclass

from audit.models import Channel
from carts.services import checkout_office_cart
from carts.services.checkout import CheckoutResult, checkout
from households.models import Household
from orders.models import Order
from orders.policies import Share
from organizations.models import StaffMembership
from payments.credit import apply_credit
from payments.models import PaymentSession
from payments.services import start_online_payment


@dataclass(frozen=True)
class CheckoutWithPayment:
    order: Order | None  # None when the cart held only balances of earlier orders
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
    plan = _spend_credit(household, result, channel, actor_id)
    payment = None
    if plan and channel in (Channel.PORTAL, Channel.API) and household.organization.payment_provider != "none":
        payment = start_online_payment(
            household=household, plan=plan, return_url=return_url, channel=channel, actor_id=actor_id
        )
    return CheckoutWithPayment(order=result.order, created=True, payment=payment)


def office_checkout(
    *, membership: StaffMembership, household: Household, cart_id: int | None = None
) -> CheckoutWithPayment:
    """S3, S4, B6: staff check out, for the household, the cart the office holds: the one
    checkout of the office page and the staff API. A cart the customer started is refused
    (`customer_cart_open`, nothing changed) until staff take it over; the order is made on the
    office channel with the staff member as actor (audited by checkout, and the credit's payment
    by `record_payment`); the household's credit pays first. No online payment is started: the
    desk takes the rest, or sends a pay link."""
    result = checkout_office_cart(membership=membership, household=household, cart_id=cart_id)
    if result.created:
        _spend_credit(household, result, Channel.OFFICE, membership.user_id)
        if result.order is not None:
            result.order.refresh_from_db()  # what the credit paid shows at once
    return CheckoutWithPayment(order=result.order, created=result.created, payment=None)


def _spend_credit(household: Household, result: CheckoutResult, channel: str, actor_id: int | None) -> list[Share]:
    # B6: credit kept from an earlier overpayment pays first, at the desk as online.
    return apply_credit(household=household, plan=result.payment_plan, channel=channel, actor_id=actor_id)

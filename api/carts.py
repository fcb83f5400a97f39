import json

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Status
from ninja.responses import NinjaJSONEncoder

from api.access import CustomerRequest, customer
from api.auth import AUTH
from api.orders import order_out
from api.schemas import BalanceIn, CartAddOut, CartItemIn, CartOut, CheckoutIn, CheckoutOut, ErrorOut, RentalIn
from api.types import Id
from api.upcoming import payment_return_url
from audit.models import Channel
from carts import selectors, services
from carts.models import Cart
from carts.selectors import CartView
from carts.services import AddResult
from households.models import Household
from payments.checkout import checkout_and_request_payment
from registrations.selectors import household_orders

router = Router(tags=["cart"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


def cart_out(view: CartView) -> dict[str, object]:
    return {
        "id": view.id,
        "status": view.status,
        "items": view.items,
        "balances": view.balances,
        "total": view.total,
        "expires_at": view.expires_at,
        "seconds_left": view.seconds_left,
        "expired_at": view.expired_at,
        "timeout_minutes": view.timeout_minutes,
        "limit_minutes": view.limit_minutes,
        "held_by_office": view.held_by_office,
        "taken_over_at": view.taken_over_at,
    }


def added_out(household: Household, result: AddResult) -> dict[str, object]:
    """The 201 of an add, from what the add already holds in memory: no query."""
    cart = result.cart
    timeout, limit = services.timer_minutes(household.organization, cart.timer)
    return {
        "cart_id": cart.pk,
        "expires_at": result.expires_at,
        "seconds_left": int((result.expires_at - timezone.now()).total_seconds()),
        "timeout_minutes": timeout,
        "limit_minutes": limit,
        "added": [
            {
                "id": claim.pk,
                "offering_id": claim.offering_id,
                "offering_name": claim.offering.name,
                "kind": claim.offering.kind,
                "participant_id": claim.participant_id,
                "participant_name": claim.participant.full_name if claim.participant else None,
                "price": claim.price,
                "starts_at": claim.offering.starts_at,
                "ends_at": claim.offering.ends_at,
            }
            for claim in result.claims
        ],
    }


def created(household: Household, result: AddResult) -> HttpResponse:
    """The 201 of an add (schema `CartAddOut`), rendered as ninja renders it but not validated
    against the schema a second time: every value in it comes straight from the rows the add
    just wrote. This is the answer of registration morning, and the validation cost about
    2 % of a request's instructions (bench/instructions.py); test_add_answer_is_exactly_its_schema
    holds it to the schema."""
    body = json.dumps(added_out(household, result), cls=NinjaJSONEncoder)
    return HttpResponse(body, status=201, content_type="application/json; charset=utf-8")


def _show(household: Household, cart: Cart | None) -> dict[str, object]:
    return cart_out(selectors.cart_view(household=household, cart=cart, now=timezone.now()))


@router.get("/orgs/{slug}/cart", response={200: CartOut, **REFUSALS})
@customer
def get_cart(request: CustomerRequest, slug: str) -> dict[str, object]:
    """The open cart, its items and the instant it expires (T6)."""
    household = request.household
    return cart_out(selectors.open_cart_view(household=household, now=timezone.now()))


@router.post("/orgs/{slug}/cart/items", response={201: CartAddOut, **REFUSALS})
@customer
def add_item(request: CustomerRequest, slug: str, payload: CartItemIn) -> HttpResponse:
    """Hold a place: refused with 409 `offering_full` (C4), `already_enrolled`, `age_ineligible`,
    `registration_not_open`/`registration_closed`; 503 `busy` if the lock could not be had."""
    household = request.household
    result = services.add_to_cart(
        household=household,
        offering_id=payload.offering_id,
        participant_id=payload.participant_id,
        channel=Channel.API,
        actor_id=request.auth.pk,
    )
    return created(household, result)


@router.post("/orgs/{slug}/cart/rentals", response={201: CartAddOut, **REFUSALS})
@customer
def add_rental(request: CustomerRequest, slug: str, payload: RentalIn) -> HttpResponse:
    """Hold facility time [starts_at, ends_at), made of back-to-back rental slots (S5)."""
    household = request.household
    result = services.add_rental_to_cart(
        household=household,
        facility_id=payload.facility_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        channel=Channel.API,
        actor_id=request.auth.pk,
    )
    return created(household, result)


@router.delete("/orgs/{slug}/cart/items/{item_id}", response={200: CartOut, **REFUSALS})
@customer
def remove_item(request: CustomerRequest, slug: str, item_id: Id) -> dict[str, object]:
    """Remove one item; the timer does not restart (T7)."""
    household = request.household
    cart = services.remove_from_cart(
        household=household, claim_id=item_id, channel=Channel.API, actor_id=request.auth.pk
    )
    return _show(household, cart)


@router.delete("/orgs/{slug}/cart", response={200: CartOut, **REFUSALS})
@customer
def empty(request: CustomerRequest, slug: str) -> dict[str, object]:
    """Empty the cart at any time (T6)."""
    household = request.household
    cart = services.empty_cart(household=household, channel=Channel.API, actor_id=request.auth.pk)
    return _show(household, cart)


@router.post("/orgs/{slug}/cart/extend", response={200: CartOut, **REFUSALS})
@customer
def extend(request: CustomerRequest, slug: str) -> dict[str, object]:
    """H1: restart the timeout now, within the hard limit counted from the first add (T3);
    409 `cart_at_time_limit` when the expiry is already the limit, `cart_empty`, `cart_expired`,
    `cart_held_by_office` (S3)."""
    household = request.household
    cart = services.extend_cart(household=household, channel=Channel.API, actor_id=request.auth.pk)
    return _show(household, cart)


@router.post("/orgs/{slug}/cart/balances", response={201: CartOut, **REFUSALS})
@customer
def add_balance(request: CustomerRequest, slug: str, payload: BalanceIn) -> Status:
    """B3: put an order's balance in the cart; 409 `already_in_cart` if it is there (B4)."""
    household = request.household
    cart = services.add_balance_to_cart(
        household=household, order_id=payload.order_id, channel=Channel.API, actor_id=request.auth.pk
    )
    return Status(201, _show(household, cart))


@router.delete("/orgs/{slug}/cart/balances/{order_id}", response={200: CartOut, **REFUSALS})
@customer
def remove_balance(request: CustomerRequest, slug: str, order_id: Id) -> dict[str, object]:
    household = request.household
    cart = services.remove_balance_from_cart(
        household=household, order_id=order_id, channel=Channel.API, actor_id=request.auth.pk
    )
    return _show(household, cart)


@router.post("/orgs/{slug}/checkout", response={200: CheckoutOut, 201: CheckoutOut, **REFUSALS})
@customer
def submit_checkout(request: CustomerRequest, slug: str, payload: CheckoutIn) -> Status:
    """Turn the cart into an order with tentative registrations (P1, P2) and, when something
    is due, a payment at the provider covering the order and any balances in the cart (B3).
    Sending the same `cart_id` again returns the same order with 200."""
    household = request.household
    result = checkout_and_request_payment(
        household=household,
        channel=Channel.API,
        actor_id=request.auth.pk,
        cart_id=payload.cart_id,
        return_url=payment_return_url(slug),
    )
    order = household_orders(household=household).get(pk=result.order.pk) if result.order else None
    return Status(
        201 if result.created else 200, {"order": order_out(order) if order else None, "payment": result.payment}
    )

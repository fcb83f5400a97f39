from django.utils import timezone
from ninja import Router, Status

from api.access import CustomerRequest, customer
from api.auth import AUTH
from api.schemas import BalanceOut, ErrorOut, OrderOut, PaymentSessionOut, RegistrationOut
from api.types import Id
from api.upcoming import payment_return_url
from audit.models import Channel
from carts.selectors import orders_in_cart
from orders.errors import OrderNotFound
from orders.models import Order, OrderLine
from orders.policies import Share
from orders.selectors import payable_balances
from payments.services import start_online_payment
from registrations.models import Registration
from registrations.selectors import household_orders, household_registrations

router = Router(tags=["orders"], auth=AUTH)


def registration_out(r: Registration, offering_name: str, participant_name: str | None) -> dict[str, object]:
    return {
        "id": r.pk,
        "offering_id": r.offering_id,
        "offering_name": offering_name,
        "participant_id": r.participant_id,
        "participant_name": participant_name,
        "order_id": r.order_id,
        "state": r.claim.state,
        "submitted_at": r.submitted_at,
    }


def order_out(order: Order) -> dict[str, object]:
    lines = {line.pk: line for line in order.lines.all()}
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "total": order.total,
        "amount_paid": order.amount_paid,
        "balance": order.balance,
        "created_at": order.created_at,
        "lines": [
            {
                "id": line.pk,
                "offering_id": line.offering_id,
                "participant_id": line.participant_id,
                "description": line.description,
                "amount": line.amount,
            }
            for line in lines.values()
        ],
        "registrations": [
            registration_out(
                r,
                lines[r.order_line_id].offering.name,
                _participant_name(lines[r.order_line_id]),
            )
            for r in order.registrations.all()
        ],
    }


def _participant_name(line: OrderLine) -> str | None:
    return line.participant.full_name if line.participant else None


@router.get("/orgs/{slug}/orders", response={200: list[OrderOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
@customer
def list_orders(request: CustomerRequest, slug: str) -> list[dict[str, object]]:
    """The household's own orders (X1), newest first."""
    household = request.household
    return [order_out(order) for order in household_orders(household=household)[:200]]


@router.get("/orgs/{slug}/orders/{order_id}", response={200: OrderOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
@customer
def get_order(request: CustomerRequest, slug: str, order_id: Id) -> dict[str, object]:
    household = request.household
    order = household_orders(household=household).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound
    return order_out(order)


@router.get(
    "/orgs/{slug}/registrations", response={200: list[RegistrationOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
@customer
def list_registrations(request: CustomerRequest, slug: str) -> list[dict[str, object]]:
    household = request.household
    return [
        registration_out(r, r.offering.name, r.participant.full_name if r.participant else None)
        for r in household_registrations(household=household)[:500]
    ]


@router.get("/orgs/{slug}/balances", response={200: list[BalanceOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
@customer
def list_balances(request: CustomerRequest, slug: str) -> list[dict[str, object]]:
    """B3, B4: orders with a balance the household may pay online, with the order's note,
    and whether each is already in the cart."""
    household = request.household
    in_cart = orders_in_cart(household=household, now=timezone.now())
    return [
        {
            "order_id": o.pk,
            "order_number": o.number,
            "total": o.total,
            "amount_paid": o.amount_paid,
            "balance": o.balance,
            "customer_note": o.customer_note,
            "in_cart": o.pk in in_cart,
        }
        for o in payable_balances(household=household)
    ]


@router.post(
    "/orgs/{slug}/orders/{order_id}/pay",
    response={201: PaymentSessionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut},
)
@customer
def pay_order(request: CustomerRequest, slug: str, order_id: Id) -> Status:
    """Pay (or try again to pay) what is owed on one of the household's unpaid orders."""
    household = request.household
    order = household_orders(household=household).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound
    session = start_online_payment(
        household=household,
        plan=[Share(order.pk, order.balance)] if order.balance > 0 else [],
        return_url=payment_return_url(slug),
        channel=Channel.API,
        actor_id=request.user.pk,
    )
    return Status(201, session)

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.carts import added_out, cart_out
from api.catalog import offering_out
from api.context import json_body
from api.desk_schemas import NoNewOrderOut
from api.orders import order_out
from api.schemas import (
    AlertOut,
    CartAddOut,
    CartOut,
    CheckoutIn,
    ErrorOut,
    ImpactsOut,
    OccupancyOut,
    OfflinePaymentIn,
    OnAccountIn,
    OrderOut,
    PaymentOut,
    SettingsOut,
    StaffCartItemIn,
    StaffRegistrationOut,
)
from api.setup import impacts_out
from api.types import Id, Int, Limit
from audit.models import Channel
from bulk.settings import change_settings
from capacity.catalog import offering_detail
from capacity.selectors import live_holds
from carts import selectors as cart_selectors
from carts.services import delete_cart, delete_hold, office_add_to_cart
from households.selectors import get_household_for_org
from orders.selectors import get_order_for_org
from organizations.errors import InvalidSettings
from organizations.models import Organization, Permission, validate_grace_hours
from organizations.preferences import json_schema
from organizations.services import shown_settings
from payments.checkout import office_checkout as desk_checkout
from payments.desk import put_on_account, record_offline_payment, resolve_alert
from payments.selectors import open_alerts
from registrations.impacts import grace_impacts
from registrations.models import Registration
from registrations.selectors import household_orders, organization_registrations, payment_status
from registrations.services import delete_registration

router = Router(tags=["staff"], auth=AUTH)
NO_NEW_ORDER = "The cart held only balances of earlier orders: no new order was made."
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


@router.get("/orgs/{slug}/settings", response={200: SettingsOut, **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def get_settings(request: StaffRequest, slug: str) -> dict[str, object]:
    """Every setting (X7); secrets say only whether they are set."""
    organization = request.membership.organization
    return {"slug": organization.slug, **shown_settings(organization)}


@router.patch(
    "/orgs/{slug}/settings",
    response={200: SettingsOut, **REFUSALS},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": json_schema()}}}},
)
@staff(Permission.MANAGE_SETTINGS)
def patch_settings(request: StaffRequest, slug: str) -> dict[str, object]:
    """Change any subset of the settings. An unknown key, a wrong type or a value out of range
    is refused (400, code `invalid_settings`) naming each field and its allowed range in
    `details.fields`, and nothing changes. A cart limit below its timeout is refused (T3).
    A longer timer extends the live carts as POST settings/preview shows; none is cut short."""
    membership = request.membership
    organization, _ = change_settings(membership=membership, changes=json_body(request), channel=Channel.OFFICE)
    return {"slug": organization.slug, **shown_settings(organization)}


@router.get("/orgs/{slug}/staff/offerings/{offering_id}/occupancy", response={200: OccupancyOut, **REFUSALS})
@staff(Permission.ENROLL)
def occupancy(request: StaffRequest, slug: str, offering_id: Id) -> dict[str, object]:
    """Live availability and every live hold on the offering: who, for whom, since when,
    time left, channel (C5, S1)."""
    membership = request.membership
    now = timezone.now()
    item, _ = offering_detail(organization=membership.organization, offering_id=offering_id, now=now)
    holds = live_holds(organization_id=membership.organization_id, offering_id=offering_id, now=now)
    return {
        "offering": offering_out(item),
        "holds": [
            {
                "id": claim.pk,
                "household_id": claim.household_id,
                "household_name": claim.household.name,
                "participant_name": claim.participant.full_name if claim.participant else None,
                "channel": claim.channel,
                "created_at": claim.created_at,
                "expires_at": claim.cart.expires_at if claim.cart else claim.expires_at,
                "seconds_left": int((claim.cart.expires_at - now).total_seconds())
                if claim.cart and claim.cart.expires_at
                else None,
                "override_reason": claim.override_reason,
            }
            for claim in holds
        ],
    }


@router.delete("/orgs/{slug}/staff/holds/{claim_id}", response={204: None, **REFUSALS})
@staff(Permission.DELETE_ENROLLMENTS)
def remove_hold(request: StaffRequest, slug: str, claim_id: Id) -> Status:
    """S2: delete a live hold (needs *delete enrollments*); the seat is free at once."""
    delete_hold(membership=request.membership, claim_id=claim_id)
    return Status(204, None)


@router.get("/orgs/{slug}/staff/households/{household_id}/cart", response={200: CartOut, **REFUSALS})
@staff(Permission.ENROLL)
def household_cart(request: StaffRequest, slug: str, household_id: Id) -> dict[str, object]:
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    return cart_out(cart_selectors.open_cart_view(household=household, now=timezone.now()))


@router.delete("/orgs/{slug}/staff/households/{household_id}/cart", response={200: CartOut, **REFUSALS})
@staff(Permission.DELETE_ENROLLMENTS)
def clear_household_cart(request: StaffRequest, slug: str, household_id: Id) -> dict[str, object]:
    """S2: clear a household's whole cart (needs *delete enrollments*); every seat is free at once."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    delete_cart(membership=membership, household=household)
    return cart_out(cart_selectors.open_cart_view(household=household, now=timezone.now()))


@router.post("/orgs/{slug}/staff/households/{household_id}/cart/items", response={201: CartAddOut, **REFUSALS})
@staff(Permission.ENROLL)
def office_add(request: StaffRequest, slug: str, household_id: Id, payload: StaffCartItemIn) -> Status:
    """Enroll from the office on the wizard's own timer (T5). `override_reason` exceeds
    capacity on purpose and needs the override permission (C6)."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    result = office_add_to_cart(
        membership=membership,
        household=household,
        offering_id=payload.offering_id,
        participant_id=payload.participant_id,
        override_reason=payload.override_reason,
    )
    return Status(201, added_out(household, result))


@router.post(
    "/orgs/{slug}/staff/households/{household_id}/checkout",
    response={200: OrderOut | NoNewOrderOut, 201: OrderOut, **REFUSALS},
)
@staff(Permission.ENROLL)
def office_checkout(request: StaffRequest, slug: str, household_id: Id, payload: CheckoutIn) -> Status:
    """S3, P1, B6: check out the cart the office holds for the household, as the office page
    does: a cart the family started is refused (409 `customer_cart_open`) until taken over; the
    household's credit pays first. 201 with the new order; 200 with the same order when the same
    `cart_id` is sent again; 200 with `{"order": null, "message": ...}` when the cart held only
    balances of earlier orders (no new order; they are paid, or ready to pay, on their orders)."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    result = desk_checkout(membership=membership, household=household, cart_id=payload.cart_id)
    if result.order is None:
        return Status(200, {"order": None, "message": NO_NEW_ORDER})
    return Status(
        201 if result.created else 200, order_out(household_orders(household=household).get(pk=result.order.pk))
    )


def staff_registration_out(r: Registration, organization: Organization, now: datetime) -> dict[str, object]:
    status = payment_status(r, organization, now)
    return {
        "id": r.pk,
        "household_id": r.household_id,
        "household_name": r.household.name,
        "participant_name": r.participant.full_name if r.participant else None,
        "offering_id": r.offering_id,
        "offering_name": r.offering.name,
        "order_id": r.order_id,
        "order_number": r.order.number,
        "amount_due": r.order.total,
        "amount_paid": r.order.amount_paid,
        "state": r.claim.state,
        "payment_state": status.state,
        "on_account": r.order.on_account,
        "scheduled_for_deletion_at": status.scheduled_for_deletion_at,
        "submitted_at": r.submitted_at,
        "deleted_at": r.deleted_at,
        "deleted_reason": r.deleted_reason,
    }


@router.get("/orgs/{slug}/staff/registrations", response={200: list[StaffRegistrationOut], **REFUSALS})
@staff(Permission.ENROLL, Permission.TAKE_PAYMENTS)
def staff_registrations(
    request: StaffRequest, slug: str, include_deleted: bool = False, limit: Limit = 200
) -> list[dict[str, object]]:
    """Received registrations, newest first, with their payment state and deletion schedule (P3)."""
    membership = request.membership
    now = timezone.now()
    registrations = organization_registrations(organization_id=membership.organization_id).order_by(
        "-submitted_at", "-pk"
    )
    if not include_deleted:
        registrations = registrations.filter(deleted_at__isnull=True)
    return [staff_registration_out(r, membership.organization, now) for r in registrations[: max(1, min(limit, 1000))]]


@router.delete("/orgs/{slug}/staff/registrations/{registration_id}", response={200: StaffRegistrationOut, **REFUSALS})
@staff(Permission.DELETE_ENROLLMENTS)
def staff_delete_registration(
    request: StaffRequest, slug: str, registration_id: Id, note: str = Query("", max_length=500)
) -> dict[str, object]:
    """P6: delete (archive) a registration, `note` saying why; its seat is freed; the household remains."""
    membership = request.membership
    registration = delete_registration(membership=membership, registration_id=registration_id, note=note)
    fresh = organization_registrations(organization_id=membership.organization_id).get(pk=registration.pk)
    return staff_registration_out(fresh, membership.organization, timezone.now())


@router.post("/orgs/{slug}/staff/orders/{order_id}/payments", response={200: PaymentOut, 201: PaymentOut, **REFUSALS})
@staff(Permission.TAKE_PAYMENTS)
def staff_record_payment(request: StaffRequest, slug: str, order_id: Id, payload: OfflinePaymentIn) -> Status:
    """P5: record cash, a cheque or a card taken by phone; the payment state follows. 201 with
    the payment; the same `reference` again (a double submit, a receipt number typed twice)
    answers 200 with the first payment and records nothing, and a reference this organization
    already used for another order is refused (409 `reference_used`). References are each
    organization's own."""
    membership = request.membership
    recorded = record_offline_payment(membership=membership, order_id=order_id, **payload.dict())
    payment = recorded.payment
    balance = get_order_for_org(organization_id=membership.organization_id, order_id=order_id).balance
    return Status(
        201 if recorded.created else 200,
        {
            "id": payment.pk,
            "amount": payment.amount,
            "method": payment.method,
            "provider": payment.provider,
            "received_at": payment.received_at,
            "order_balance": balance,
        },
    )


@router.post("/orgs/{slug}/staff/orders/{order_id}/on-account", response={200: OrderOut, **REFUSALS})
@staff(Permission.TAKE_PAYMENTS, Permission.TEACH)
def staff_put_on_account(request: StaffRequest, slug: str, order_id: Id, payload: OnAccountIn) -> dict[str, object]:
    """B1: finish an order on account, marking whether its balance may be paid online."""
    membership = request.membership
    order = put_on_account(membership=membership, order_id=order_id, **payload.dict())
    return order_out(household_orders(household=order.household).get(pk=order.pk))


@router.get("/orgs/{slug}/staff/alerts", response={200: list[AlertOut], **REFUSALS})
@staff(Permission.TAKE_PAYMENTS)
def staff_alerts(request: StaffRequest, slug: str) -> list[dict[str, object]]:
    """Open alerts, e.g. money that arrived for a deleted registration (P4)."""
    membership = request.membership
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "message": a.message,
            "payment_id": a.payment_id,
            "order_id": a.order_id,
            "created_at": a.created_at,
        }
        for a in open_alerts(organization_id=membership.organization_id)[:500]
    ]


@router.post("/orgs/{slug}/staff/alerts/{alert_id}/resolve", response={204: None, **REFUSALS})
@staff(Permission.TAKE_PAYMENTS)
def staff_resolve_alert(request: StaffRequest, slug: str, alert_id: Id) -> Status:
    resolve_alert(membership=request.membership, alert_id=alert_id)
    return Status(204, None)


@router.get("/orgs/{slug}/staff/grace-impacts", response={200: ImpactsOut, **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def staff_grace_impacts(request: StaffRequest, slug: str, hours: Int) -> dict[str, object]:
    """G6: for a proposed grace period, before it is saved, which registrations the next run
    would delete and which emails it would send, computed by the worker's own rules."""
    membership = request.membership
    try:
        validate_grace_hours(hours)
    except ValidationError as exc:
        raise InvalidSettings(" ".join(exc.messages), fields={"hours": " ".join(exc.messages)}) from None
    impacts = grace_impacts(organization=membership.organization, grace_period_hours=hours, now=timezone.now())
    return impacts_out(impacts, membership.organization)

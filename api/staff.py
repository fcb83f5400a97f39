from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from api.auth import AUTH
from api.carts import cart_out
from api.catalog import offering_out
from api.context import staff_household, staff_membership
from api.orders import order_out
from api.schemas import CartOut, CheckoutIn, ErrorOut, OccupancyOut, OrderOut, SettingsIn, SettingsOut, StaffCartItemIn
from audit.models import Channel
from capacity.selectors import live_holds
from carts import selectors as cart_selectors
from carts.services import delete_hold, office_add_to_cart
from catalog.selectors import offering_detail
from orders.selectors import household_orders
from orders.services import checkout
from organizations.models import Permission
from organizations.services import require_permission, update_settings

router = Router(tags=["staff"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


@router.get("/orgs/{slug}/settings", response={200: SettingsOut, **REFUSALS})
def get_settings(request: HttpRequest, slug: str) -> object:
    return staff_membership(request, slug, Permission.MANAGE_SETTINGS).organization


@router.patch("/orgs/{slug}/settings", response={200: SettingsOut, **REFUSALS})
def patch_settings(request: HttpRequest, slug: str, payload: SettingsIn) -> object:
    """Change settings; cart timers outside 5-120 minutes are refused, naming the range (T1)."""
    membership = staff_membership(request, slug)
    return update_settings(membership=membership, changes=payload.dict(exclude_unset=True), channel=Channel.OFFICE)


@router.get("/orgs/{slug}/staff/offerings/{offering_id}/occupancy", response={200: OccupancyOut, **REFUSALS})
def occupancy(request: HttpRequest, slug: str, offering_id: int) -> dict[str, object]:
    """Live availability and every live hold on the offering: who, for whom, since when,
    time left, channel (C5, S1)."""
    membership = staff_membership(request, slug)
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
def remove_hold(request: HttpRequest, slug: str, claim_id: int) -> Status:
    """S2: delete a live hold (needs *delete enrollments*); the seat is free at once."""
    delete_hold(membership=staff_membership(request, slug), claim_id=claim_id)
    return Status(204, None)


@router.get("/orgs/{slug}/staff/households/{household_id}/cart", response={200: CartOut, **REFUSALS})
def household_cart(request: HttpRequest, slug: str, household_id: int) -> dict[str, object]:
    membership = staff_membership(request, slug, Permission.ENROLL)
    household = staff_household(membership, household_id)
    return cart_out(cart_selectors.open_cart_view(household=household, now=timezone.now()))


@router.post("/orgs/{slug}/staff/households/{household_id}/cart/items", response={201: CartOut, **REFUSALS})
def office_add(request: HttpRequest, slug: str, household_id: int, payload: StaffCartItemIn) -> Status:
    """Enroll from the office on the wizard's own timer (T5). `override_reason` exceeds
    capacity on purpose and needs the override permission (C6)."""
    membership = staff_membership(request, slug)
    household = staff_household(membership, household_id)
    result = office_add_to_cart(
        membership=membership,
        household=household,
        offering_id=payload.offering_id,
        participant_id=payload.participant_id,
        override_reason=payload.override_reason,
    )
    return Status(201, cart_out(cart_selectors.cart_view(household=household, cart=result.cart, now=timezone.now())))


@router.post(
    "/orgs/{slug}/staff/households/{household_id}/checkout", response={200: OrderOut, 201: OrderOut, **REFUSALS}
)
def office_checkout(request: HttpRequest, slug: str, household_id: int, payload: CheckoutIn) -> Status:
    membership = staff_membership(request, slug)
    require_permission(membership, Permission.ENROLL)
    household = staff_household(membership, household_id)
    result = checkout(household=household, channel=Channel.OFFICE, actor_id=membership.user_id, cart_id=payload.cart_id)
    return Status(
        201 if result.created else 200, order_out(household_orders(household=household).get(pk=result.order.pk))
    )

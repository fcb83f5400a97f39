from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from capacity.models import Claim
from carts.models import Cart, CartBalance
from carts.services.open_cart import timer_minutes
from catalog.models import Offering
from core.querycache import CompiledQuery, run_together
from households.models import Household, Participant


@dataclass(frozen=True)
class CartItemView:
    id: int  # the hold's claim id
    offering_id: int
    offering_name: str
    kind: str
    participant_id: int | None
    participant_name: str | None
    price: Decimal
    starts_at: datetime | None
    ends_at: datetime | None
    override_reason: str


@dataclass(frozen=True)
class CartBalanceView:
    order_id: int
    order_number: str
    amount: Decimal  # the order's balance now
    customer_note: str


@dataclass(frozen=True)
class CartView:
    """What a page or the API shows of a cart (T6): its items, its expiry instant and the
    time left. A cart whose timer ran out is shown empty, with when it expired (C3)."""

    id: int | None
    status: str
    timer: str
    items: list[CartItemView]
    expires_at: datetime | None
    seconds_left: int | None
    expired_at: datetime | None
    timeout_minutes: int
    limit_minutes: int
    first_added_at: datetime | None
    channel: str | None
    balances: list[CartBalanceView] = field(default_factory=list)
    # S3: the office started this cart or took it over, and is completing it for the household.
    held_by_office: bool = False
    taken_over_at: datetime | None = None
    taken_over_by_name: str = ""  # for staff pages; the customer is told "the office"

    @property
    def total(self) -> Decimal:
        # Cents even when empty: the API says "0.00" like every other amount, not "0".
        return sum((item.price for item in self.items), Decimal("0.00")) + sum(
            (b.amount for b in self.balances), Decimal("0.00")
        )


def open_cart_view(*, household: Household, now: datetime) -> CartView:
    """The household's open cart as it stands at `now` (three queries)."""
    cart = (
        Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN).select_related("taken_over_by").first()
    )
    return cart_view(household=household, cart=cart, now=now)


def cart_view(*, household: Household, cart: Cart | None, now: datetime) -> CartView:
    timer = cart.timer if cart else Cart.Timer.PORTAL
    timeout, limit = timer_minutes(household.organization, timer)
    if cart is None or cart.status != Cart.Status.OPEN or cart.is_expired_at(now):
        return CartView(
            id=cart.pk if cart else None,
            status=Cart.Status.EXPIRED
            if cart and cart.status == Cart.Status.OPEN
            else (cart.status if cart else "open"),
            timer=timer,
            items=[],
            expires_at=None,
            seconds_left=None,
            expired_at=cart.expires_at if cart and cart.is_expired_at(now) else None,
            timeout_minutes=timeout,
            limit_minutes=limit,
            first_added_at=None,
            channel=cart.channel if cart else None,
        )
    holds = (
        Claim.objects.filter(cart_id=cart.pk, state=Claim.State.HELD)
        .select_related("offering", "participant")
        .order_by("pk")
    )
    items = [
        CartItemView(
            id=claim.pk,
            offering_id=claim.offering_id,
            offering_name=claim.offering.name,
            kind=claim.offering.kind,
            participant_id=claim.participant_id,
            participant_name=claim.participant.full_name if claim.participant else None,
            price=claim.price,
            starts_at=claim.offering.starts_at,
            ends_at=claim.offering.ends_at,
            override_reason=claim.override_reason,
        )
        for claim in holds
    ]
    balances = [
        CartBalanceView(
            order_id=b.order_id,
            order_number=b.order.number,
            amount=b.order.balance,
            customer_note=b.order.customer_note,
        )
        for b in CartBalance.objects.filter(cart_id=cart.pk, removed_at__isnull=True)
        .select_related("order")
        .order_by("pk")
    ]
    seconds_left = int((cart.expires_at - now).total_seconds()) if cart.expires_at else None
    return CartView(
        id=cart.pk,
        status=cart.status,
        timer=timer,
        items=items,
        expires_at=cart.expires_at,
        seconds_left=seconds_left,
        expired_at=None,
        timeout_minutes=timeout,
        limit_minutes=limit,
        first_added_at=cart.first_added_at,
        channel=cart.channel,
        balances=balances,
        held_by_office=cart.is_held_by_office,
        taken_over_at=cart.taken_over_at,
        taken_over_by_name=_staff_name(cart.taken_over_by) if cart.taken_over_by_id else "",
    )


def _staff_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def orders_in_cart(*, household: Household, now: datetime) -> set[int]:
    """B4: the orders whose balance sits in the household's live cart."""
    return set(
        CartBalance.objects.filter(
            cart__household_id=household.pk,
            cart__status=Cart.Status.OPEN,
            cart__expires_at__gt=now,
            removed_at__isnull=True,
        ).values_list("order_id", flat=True)
    )


def live_item_count(*, household_id: int, now: datetime) -> int:
    """How many items (holds and balances) the household's live cart holds: the portal's
    header shows it on every page (one query)."""
    holds = Claim.objects.filter(cart_id=OuterRef("pk"), state=Claim.State.HELD).order_by().values("cart_id")
    balances = CartBalance.objects.filter(cart_id=OuterRef("pk"), removed_at__isnull=True).order_by().values("cart_id")
    counted = (
        Cart.objects.filter(household_id=household_id, status=Cart.Status.OPEN, expires_at__gt=now)
        .annotate(
            n_holds=Coalesce(Subquery(holds.annotate(n=Count("pk")).values("n")), 0),
            n_balances=Coalesce(Subquery(balances.annotate(n=Count("pk")).values("n")), 0),
        )
        .values_list("n_holds", "n_balances")
        .first()
    )
    return sum(counted) if counted else 0


# A refused add is worded with what and who (portal.refusals): on registration morning that is
# every add for a class already full, so both are read with SQL compiled once per process, in
# one round trip (building the two querysets cost more CPU than the refused add itself).
def _offering(*, organization_id: int, offering_id: int) -> QuerySet[Offering]:
    return Offering.objects.filter(organization_id=organization_id, pk=offering_id)[:1]


def _participant(*, household_id: int, participant_id: int) -> QuerySet[Participant]:
    return Participant.objects.filter(household_id=household_id, pk=participant_id)[:1]


_OFFERING, _PARTICIPANT = CompiledQuery(Offering, _offering), CompiledQuery(Participant, _participant)


def offering_and_participant(
    *, household: Household, offering_id: int, participant_id: int
) -> tuple[Offering | None, Participant | None]:
    """The offering of the household's organization and the household's participant an add
    named, in one round trip; None for either that is not there (not found, or not theirs)."""
    offering = _OFFERING.pending(organization_id=household.organization_id, offering_id=offering_id)
    participant = _PARTICIPANT.pending(household_id=household.pk, participant_id=participant_id)
    run_together(offering, participant)
    offerings, participants = offering.objects(), participant.objects()
    return (offerings[0] if offerings else None), (participants[0] if participants else None)


@dataclass(frozen=True)
class OpenCartRow:
    """One live cart on the office's Pending list (S7)."""

    cart: Cart  # with its household and the staff member who took it over
    items: list[Claim]  # its holds, with offering and participant


CART_SORTS = {
    "oldest": ("first_added_at", "pk"),
    "newest": ("-first_added_at", "-pk"),
    "household": ("household__name", "pk"),
    "expiring": ("expires_at", "pk"),
}


def live_carts(*, organization_id: int, now: datetime, query: str = "", sort: str = "expiring") -> QuerySet[Cart]:
    """S7: the organization's open carts whose timer has not run out, with the household and
    who holds them; `query` words each in the household's name or email or a participant's
    name. Paginate it, then `cart_rows` for the page's items (one query)."""
    carts = Cart.objects.filter(
        organization_id=organization_id, status=Cart.Status.OPEN, expires_at__gt=now
    ).select_related("household", "taken_over_by")
    for word in query.split()[:6]:
        word = word[:100]
        participants = Participant.objects.filter(household_id=OuterRef("household_id")).filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
        carts = carts.filter(
            Q(household__name__icontains=word) | Q(household__email__icontains=word) | Q(Exists(participants))
        )
    return carts.order_by(*CART_SORTS.get(sort, CART_SORTS["expiring"]))


def cart_rows(carts: Iterable[Cart]) -> list[OpenCartRow]:
    """The page's carts with their holds, in one query."""
    page = list(carts)
    holds: dict[int, list[Claim]] = {cart.pk: [] for cart in page}
    for claim in (
        Claim.objects.filter(cart_id__in=list(holds), state=Claim.State.HELD)
        .select_related("offering", "participant")
        .order_by("pk")
    ):
        if claim.cart_id is not None:
            holds[claim.cart_id].append(claim)
    return [OpenCartRow(cart=cart, items=holds[cart.pk]) for cart in page]

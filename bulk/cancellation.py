"""Cancelling an offering, previewed first (F2, P6, N1, B6).

Every live seat of the offering ends: held seats are released from their carts, registrations
are deleted (archived, P6) and their claims cancelled; each household is told once; money paid
for the cancelled lines is owed back (`bulk.policies.owed_back`) and raised to the office as a
*refund due* alert, to refund or keep as credit (B6). The preview and the action build their
rows with the same `_hold_rows` and `_registration_rows`.

Bounded work (issue 14): the offering is archived under its lock in a transaction of its own
(no add can start after it), then seats are ended in batches, each one short transaction with a
fixed number of queries (tests pin it) that takes no capacity lock at all: ending a seat can
only make room. A payment racing a batch waits for the batch's order lock and then sees the
registration deleted (P4 handles that).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import event, record, record_many
from bulk.errors import OfferingAlreadyCancelled
from bulk.policies import owed_back
from capacity.errors import UnknownOffering
from capacity.locks import lock_offerings
from capacity.models import Claim
from capacity.services import release_claims
from carts.models import Cart
from catalog.models import Offering
from households.models import Household
from notifications.services import OutgoingNotice, enqueue_many
from orders.models import Order
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission
from payments.models import StaffAlert
from registrations.models import Registration
from registrations.services import archive_registrations

BATCH_SIZE = 500
REASON = "offering_cancelled"


@dataclass(frozen=True)
class CancelRow:
    claim_id: int
    kind: str  # "hold" or "registration"
    state: str
    household_id: int
    household_name: str
    participant_name: str | None
    registration_id: int | None = None
    order_id: int | None = None
    order_number: str = ""
    owed_back: Decimal = Decimal("0")  # on the first row of its order; refund or credit (B6)


@dataclass
class CancellationPlan:
    offering_id: int
    offering_name: str
    rows: list[CancelRow] = field(default_factory=list)

    @property
    def households_told(self) -> list[int]:
        return sorted({row.household_id for row in self.rows})

    @property
    def total_owed(self) -> Decimal:
        return sum((row.owed_back for row in self.rows), Decimal("0"))

    @property
    def holds(self) -> list[CancelRow]:
        return [row for row in self.rows if row.kind == "hold"]

    @property
    def registrations(self) -> list[CancelRow]:
        return [row for row in self.rows if row.kind == "registration"]


def preview_cancellation(*, membership: StaffMembership, offering_id: int, now: datetime) -> CancellationPlan:
    """Who would be released, deleted, told and owed money if the offering were cancelled now."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    offering = _offering(membership.organization_id, offering_id)
    plan = CancellationPlan(offering_id=offering.pk, offering_name=offering.name)
    plan.rows += _hold_rows(_live_holds(offering.pk, now))
    for order_ids in _order_batches(offering.pk, batch_size=None):
        registrations, orders = _registrations_of(offering.pk, order_ids, lock=False)
        plan.rows += _registration_rows(registrations, orders)
    return plan


def cancel_offering(
    *,
    membership: StaffMembership,
    offering_id: int,
    reason: str,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[str, int], None] | None = None,
) -> CancellationPlan:
    """Cancel the offering: archive it under its lock, then end its seats batch by batch as
    `preview_cancellation` showed. Returns the rows acted on (the same rows as the preview's
    when nothing changed in between). `on_batch(step, rows)` is called after each transaction
    commits: ("archived", 0), then ("holds", n) and ("registrations", n) per batch."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    offering = _archive_offering(membership, offering_id, reason)
    if on_batch:
        on_batch("archived", 0)
    organization = Organization.objects.get(pk=membership.organization_id)
    done = CancellationPlan(offering_id=offering.pk, offering_name=offering.name)
    while rows := _release_hold_batch(organization, offering, membership.user_id, batch_size):
        done.rows += rows
        if on_batch:
            on_batch("holds", len(rows))
    for order_ids in _order_batches(offering.pk, batch_size=batch_size):
        rows = _cancel_registration_batch(organization, offering, order_ids, membership.user_id)
        done.rows += rows
        if on_batch:
            on_batch("registrations", len(rows))
    return done


@transaction.atomic(durable=True)
def _archive_offering(membership: StaffMembership, offering_id: int, reason: str) -> Offering:
    """Under the offering's lock (D3): once this commits, no add, checkout or staff enrollment
    can take a seat of it (lock_offerings finds only offerings that are not archived)."""
    existing = _offering(membership.organization_id, offering_id)
    if existing.cancelled_at is not None:
        raise OfferingAlreadyCancelled
    offering = lock_offerings(organization_id=membership.organization_id, offering_ids=[offering_id])[offering_id]
    now = timezone.now()
    offering.is_archived, offering.cancelled_at, offering.cancel_reason = True, now, reason[:500]
    offering.save(update_fields=["is_archived", "cancelled_at", "cancel_reason"])
    record(
        organization_id=offering.organization_id,
        verb="offering.cancelled",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="offering",
        subject_id=offering.pk,
        data={"reason": reason},
        now=now,
    )
    return offering


def _offering(organization_id: int, offering_id: int) -> Offering:
    offering = Offering.objects.filter(organization_id=organization_id, pk=offering_id).first()
    if offering is None:
        raise UnknownOffering
    return offering


def _live_holds(offering_id: int, now: datetime | None, limit: int | None = None) -> list[Claim]:
    holds = Claim.objects.filter(offering_id=offering_id, state=Claim.State.HELD).select_related(
        "household", "participant", "cart"
    )
    if now is not None:
        holds = holds.counting_at(now)  # the preview lists the holds that count; the action ends every one
    holds = holds.order_by("pk")
    return list(holds[:limit] if limit else holds)


def _hold_rows(holds: Iterable[Claim]) -> list[CancelRow]:
    return [
        CancelRow(
            claim_id=claim.pk,
            kind="hold",
            state=claim.state,
            household_id=claim.household_id,
            household_name=claim.household.name,
            participant_name=claim.participant.full_name if claim.participant else None,
        )
        for claim in holds
    ]


def _order_batches(offering_id: int, *, batch_size: int | None) -> Iterable[list[int]]:
    """The orders with a live registration of the offering, a batch at a time (keyset paging
    by order id, so a batch never splits an order: its money is owed back once)."""
    after = 0
    while True:
        order_ids = (
            Registration.objects.filter(offering_id=offering_id, deleted_at__isnull=True, order_id__gt=after)
            .order_by("order_id")
            .values_list("order_id", flat=True)
            .distinct()
        )
        batch = list(order_ids[:batch_size] if batch_size else order_ids)
        if not batch:
            return
        yield batch
        after = batch[-1]


def _registrations_of(
    offering_id: int, order_ids: list[int], *, lock: bool
) -> tuple[list[Registration], dict[int, Order]]:
    orders = Order.objects.filter(pk__in=order_ids).order_by("pk")
    if lock:  # payments lock an order too: a payment and this batch never interleave
        orders = orders.select_for_update()
    by_id = {order.pk: order for order in orders}
    registrations = list(
        Registration.objects.filter(offering_id=offering_id, order_id__in=order_ids, deleted_at__isnull=True)
        .select_related("household", "participant", "claim", "order_line", "offering")
        .order_by("order_id", "pk")
    )
    for registration in registrations:
        registration.order = by_id[registration.order_id]  # the locked, fresh row
    return registrations, by_id


def _registration_rows(registrations: list[Registration], orders: dict[int, Order]) -> list[CancelRow]:
    cancelled: dict[int, Decimal] = defaultdict(Decimal)
    for registration in registrations:
        cancelled[registration.order_id] += registration.order_line.amount
    rows, seen = [], set()
    for registration in registrations:
        order = orders[registration.order_id]
        first_of_order = order.pk not in seen
        seen.add(order.pk)
        owed = (
            owed_back(order_total=order.total, amount_paid=order.amount_paid, cancelled_amount=cancelled[order.pk])
            if first_of_order
            else Decimal("0")
        )
        rows.append(
            CancelRow(
                claim_id=registration.claim_id,
                kind="registration",
                state=registration.claim.state,
                household_id=registration.household_id,
                household_name=registration.household.name,
                participant_name=registration.participant.full_name if registration.participant else None,
                registration_id=registration.pk,
                order_id=order.pk,
                order_number=order.number,
                owed_back=owed,
            )
        )
    return rows


@transaction.atomic(durable=True)
def _release_hold_batch(
    organization: Organization, offering: Offering, actor_id: int, batch_size: int
) -> list[CancelRow]:
    holds = _live_holds(offering.pk, None, limit=batch_size)
    if not holds:
        return []
    now = timezone.now()
    cart_ids = sorted({claim.cart_id for claim in holds if claim.cart_id})
    list(Cart.objects.filter(pk__in=cart_ids).order_by("pk").select_for_update())  # cart lock first, as always
    release_claims(claim_ids=[claim.pk for claim in holds], reason=REASON, now=now)
    # A cart left with nothing held has no timer (T7); balances keep theirs.
    Cart.objects.filter(pk__in=cart_ids).exclude(claims__state=Claim.State.HELD).exclude(
        balances__removed_at__isnull=True
    ).update(first_added_at=None, last_added_at=None, expires_at=None)
    rows = _hold_rows(holds)
    _record(offering, rows, actor_id=actor_id, now=now, verb="cart.hold_released")
    _tell(organization, offering, rows, now=now)
    return rows


@transaction.atomic(durable=True)
def _cancel_registration_batch(
    organization: Organization, offering: Offering, order_ids: list[int], actor_id: int
) -> list[CancelRow]:
    now = timezone.now()
    registrations, orders = _registrations_of(offering.pk, order_ids, lock=True)
    rows = _registration_rows(registrations, orders)
    archive_registrations(registrations, reason=REASON, now=now, channel=Channel.OFFICE, actor_id=actor_id)
    StaffAlert.objects.bulk_create(
        StaffAlert(
            organization_id=organization.pk,
            kind=StaffAlert.Kind.REFUND_DUE,
            order_id=row.order_id,
            message=f"{offering.name} was cancelled: {row.household_name} is owed {row.owed_back} on order "
            f"{row.order_number}. Refund it or keep it as credit.",
            created_at=now,
        )
        for row in rows
        if row.owed_back > 0
    )
    _tell(organization, offering, rows, now=now)  # archive_registrations audited them
    return rows


def _record(offering: Offering, rows: list[CancelRow], *, actor_id: int, now: datetime, verb: str) -> None:
    record_many(
        event(
            organization_id=offering.organization_id,
            verb=verb,
            channel=Channel.OFFICE,
            actor_id=actor_id,
            subject_type="claim",
            subject_id=row.claim_id,
            household_id=row.household_id,
            data={"offering": offering.pk, "reason": REASON},
            now=now,
        )
        for row in rows
    )


def _tell(organization: Organization, offering: Offering, rows: list[CancelRow], *, now: datetime) -> None:
    """One notice per household per cancelled offering (N1: the key makes it once)."""
    households: dict[int, CancelRow] = {}
    for row in rows:
        households.setdefault(row.household_id, row)
    emails = dict(Household.objects.filter(pk__in=list(households)).values_list("pk", "email"))
    enqueue_many(
        [
            OutgoingNotice(
                organization_id=offering.organization_id,
                key=f"{REASON}:{offering.pk}:{household_id}",
                kind=REASON,
                to_email=emails.get(household_id, ""),
                context={
                    "household_name": row.household_name,
                    "offering_name": offering.name,
                    "organization_name": organization.name,
                    "order_number": row.order_number,
                    "reason": offering.cancel_reason,
                },
            )
            for household_id, row in households.items()
        ],
        now=now,
    )

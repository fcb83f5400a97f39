from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class ClaimQuerySet(models.QuerySet["Claim"]):
    def counting_at(self, now: datetime) -> "ClaimQuerySet":
        """Claims that take capacity at `now` (C2, C3, D2).

        A hold counts while its own expiry (if any) and its cart's expiry are in the future,
        so an abandoned cart frees its seats the instant it lapses, whether or not any job
        has run. Tentative and confirmed registrations count until they are cancelled.
        """
        return self.filter(counting_q(now))


def counting_q(now: datetime, prefix: str = "") -> Q:
    held_live = (
        Q(**{f"{prefix}state": Claim.State.HELD})
        & (Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now}))
        & (Q(**{f"{prefix}cart__isnull": True}) | Q(**{f"{prefix}cart__expires_at__gt": now}))
    )
    return held_live | Q(**{f"{prefix}state__in": (Claim.State.TENTATIVE, Claim.State.CONFIRMED)})


class Claim(models.Model):
    """One claim on one unit of an offering's capacity: the single ledger of D1.

    Cart holds, tentative (unpaid) and confirmed registrations are rows here; later kinds
    (waitlist offers, rental requests) are too. Taken capacity is only ever computed from
    this table by `capacity.selectors`, and rows are only ever created by
    `capacity.services.claim_seats`.
    """

    class Kind(models.TextChoices):
        CART = "cart", "Cart item"
        WAITLIST_OFFER = "waitlist_offer", "Waitlist offer"
        RENTAL_REQUEST = "rental_request", "Rental request"

    class State(models.TextChoices):
        HELD = "held", "Held"  # temporary: in a cart, lapses with it
        TENTATIVE = "tentative", "Tentative"  # checked out, payment outstanding (P2)
        CONFIRMED = "confirmed", "Confirmed"
        RELEASED = "released", "Released"  # removed, emptied, expired or deleted before checkout
        CANCELLED = "cancelled", "Cancelled"  # a registration deleted by staff or policy (P6)

    LIVE_STATES = (State.HELD, State.TENTATIVE, State.CONFIRMED)

    # No database FK check on organization (decision 0005): every add would share-lock the
    # one organization row, and concurrent share locks on one row cost PostgreSQL a multixact
    # each. The id is copied from rows whose own foreign keys are checked; PROTECT still
    # holds in the ORM.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    offering = models.ForeignKey("catalog.Offering", on_delete=models.PROTECT, related_name="claims")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="claims")
    participant = models.ForeignKey(
        "households.Participant", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    # Indexed by claim_by_cart (cart, state) below; a second index on cart alone would only
    # cost every INSERT.
    cart = models.ForeignKey(
        "carts.Cart", on_delete=models.PROTECT, null=True, blank=True, related_name="claims", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CART)
    state = models.CharField(max_length=12, choices=State.choices, default=State.HELD)
    # Own lapse instant (waitlist offers, requests). A cart hold lapses with its cart instead.
    expires_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # C6: staff took this seat beyond capacity on purpose.
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = models.CharField(max_length=500, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        indexes = [
            # Serves the count under the offering lock: live claims of one offering.
            models.Index(
                fields=["offering", "state"],
                name="claim_live_by_offering",
                condition=Q(state__in=("held", "tentative", "confirmed")),
            ),
            # Serves cart reads and releases: the held items of one cart.
            models.Index(fields=["cart", "state"], name="claim_by_cart", condition=Q(cart__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                name="claim_override_has_reason",
                condition=Q(override_by__isnull=True) | ~Q(override_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} on {self.offering_id} ({self.state})"

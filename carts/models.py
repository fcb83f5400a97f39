from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class Cart(models.Model):
    """A household's open basket in its organization. Its timer (T2, T3) is stored as the
    instants of the first and the latest add; `expires_at` is derived from them by
    `carts.policies.cart_expires_at` and is what the ledger compares against (C3)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CHECKED_OUT = "checked_out", "Checked out"
        EXPIRED = "expired", "Expired"

    class Timer(models.TextChoices):
        PORTAL = "portal", "Customer portal timer"
        OFFICE_CLASS = "office_class", "Office class enrollment wizard timer"  # T5
        OFFICE_CAMP = "office_camp", "Office camp enrollment wizard timer"  # T5

    # No database FK check on organization (decision 0005): every add would share-lock the
    # one organization row, and concurrent share locks on one row cost PostgreSQL a multixact
    # each. The id is copied from rows whose own foreign keys are checked; PROTECT still
    # holds in the ORM.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="carts")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    timer = models.CharField(max_length=12, choices=Timer.choices, default=Timer.PORTAL)
    channel = models.CharField(max_length=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # S3: staff took over a cart the customer started, to complete it for them; from then on
    # the office holds it (`is_held_by_office`) and the customer's portal says so.
    taken_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_over_at = models.DateTimeField(null=True, blank=True)
    first_added_at = models.DateTimeField(null=True, blank=True)
    last_added_at = models.DateTimeField(null=True, blank=True)
    # None while the cart is empty: an emptied cart has no timer (T7).
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One open cart per household (per organization: a household belongs to one).
            models.UniqueConstraint(
                fields=["organization", "household"], condition=Q(status="open"), name="cart_one_open_per_household"
            ),
        ]
        indexes = [
            # Serves the cleanup job: open carts whose timer has run out.
            models.Index(fields=["expires_at"], name="cart_open_expiry_idx", condition=Q(status="open")),
        ]

    def __str__(self) -> str:
        return f"cart {self.pk} of household {self.household_id}"

    def is_expired_at(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    @property
    def is_held_by_office(self) -> bool:
        """S3: the office started this cart, or took it over; only staff add to it then."""
        return self.channel == "office" or self.taken_over_by_id is not None


class CartBalance(models.Model):
    """B3: an order's balance added to the cart, to be paid with the rest of the cart. It
    takes no capacity. While in an open cart, the order shows as *in cart* (B4)."""

    cart = models.ForeignKey(Cart, on_delete=models.PROTECT, related_name="balances")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="cart_balances")
    added_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # An order's balance is in a cart at most once (B4: "in cart", never a second add).
            models.UniqueConstraint(
                fields=["cart", "order"], condition=Q(removed_at__isnull=True), name="cart_balance_once"
            ),
        ]

    def __str__(self) -> str:
        return f"balance of order {self.order_id} in cart {self.cart_id}"

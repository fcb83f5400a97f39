from decimal import Decimal

from django.conf import settings
from django.db import models


class Order(models.Model):
    """What checkout produces (P1): lines, a total, payments against it, a balance."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="orders")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="orders")
    # The cart it came from; unique, so one cart can never become two orders.
    cart = models.OneToOneField("carts.Cart", on_delete=models.PROTECT, null=True, blank=True, related_name="order")
    status = models.CharField(max_length=20, choices=Status.choices)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    # Sum of this order's payment allocations; written only by payments.services, under
    # the order's row lock, in the transaction that inserts the allocation.
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    # G4: only orders whose payment was required at checkout (portal and app checkouts) are
    # ever deleted automatically; office orders and orders on account wait for staff.
    payment_required = models.BooleanField(default=True)
    # B1: finished on account (a balance owing), and whether that balance may be paid online.
    on_account = models.BooleanField(default=False)
    payable_online = models.BooleanField(default=False)
    customer_note = models.CharField(max_length=500, blank=True)
    # P3: when the customer was sent to pay; the 5-minute "pending" window counts from here.
    payment_requested_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    # The order's number within its organization (orders.services.next_order_sequence): each
    # organization counts its own, so a number tells nothing of another's volume.
    sequence = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["household", "created_at"], name="order_household_idx"),
            # Serves the grace-period and notice jobs: unpaid orders whose payment was
            # required, by age. Paid and on-account orders are not in it, so the job's cost
            # follows what is due, not the size of the table.
            models.Index(
                fields=["created_at"],
                name="order_unpaid_idx",
                condition=models.Q(payment_required=True, amount_paid=0, total__gt=0),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sequence"], name="order_number_per_organization"),
            models.CheckConstraint(name="order_total_not_negative", condition=models.Q(total__gte=0)),
            # B5: a balance is never negative (refunds, when they come, lower amount_paid).
            models.CheckConstraint(name="order_not_overpaid", condition=models.Q(amount_paid__lte=models.F("total"))),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"R{self.sequence:07d}"

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid


class OrderCounter(models.Model):
    """The last order number given in one organization; its row is locked from the number's
    increment to the checkout's commit, so numbers are unique and without gaps."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"organization {self.organization_id}: last order number {self.last}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    offering = models.ForeignKey("catalog.Offering", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "households.Participant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self) -> str:
        return self.description

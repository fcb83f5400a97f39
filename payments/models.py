from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class PaymentSession(models.Model):
    """One request to pay, sent to a provider: which orders, how much of each (B3). The
    customer pays it at the provider; the provider reports back by webhook, maybe late."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        DECLINED = "declined", "Declined"
        ABANDONED = "abandoned", "Abandoned"

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="payment_sessions")
    provider = models.CharField(max_length=20)
    provider_session_id = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CAD")
    # [{"order": id, "amount": "12.34"}, ...]: how a payment of `amount` splits over orders.
    plan = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    redirect_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_session_id"],
                condition=~Q(provider_session_id=""),
                name="payment_session_provider_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"payment session {self.pk} ({self.provider}, {self.amount})"


class Payment(models.Model):
    """Money received. Recorded exactly once per provider reference (P4: never dropped,
    never doubled), allocated in full over orders and, for any excess, household credit."""

    class Method(models.TextChoices):
        ONLINE = "online", "Online"
        CASH = "cash", "Cash"
        CHEQUE = "cheque", "Cheque"
        CARD_PHONE = "card_phone", "Card by phone"
        CARD_TERMINAL = "card_terminal", "Card terminal"
        # Household credit spent at a checkout (B6): no new money, the credit moves to orders.
        CREDIT = "credit", "Household credit"

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="payments")
    session = models.ForeignKey(
        PaymentSession, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    provider = models.CharField(max_length=20)
    # The provider's id for this money (payment intent, sandbox event, the office's receipt
    # number...). Unique per organization and provider, so a webhook delivered twice can never
    # record two payments, and one organization's receipt numbers never collide with another's.
    provider_ref = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="payment_provider_ref_unique",
            ),
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"payment {self.pk} {self.amount}"


class PaymentAllocation(models.Model):
    """The part of a payment applied to one order, or (order None) kept as household credit."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [models.CheckConstraint(name="allocation_amount_positive", condition=Q(amount__gt=Decimal("0")))]

    def __str__(self) -> str:
        return f"{self.amount} of payment {self.payment_id} to order {self.order_id or 'credit'}"


class Refund(models.Model):
    """Money given back out of a household's credit (B6): through the provider of the online
    payment it came from where that provider refunds (the sandbox does), otherwise recorded
    as paid back at the desk (cash, cheque, card terminal). A refund being sent already
    counts against the credit; one that failed no longer does."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending to the provider"
        DONE = "done", "Refunded"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="refunds")
    # The online payment refunded through its provider; None for money handed back at the desk.
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=20)  # "provider", or an offline Payment.Method
    provider_ref = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(name="refund_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"refund {self.pk} {self.amount} ({self.status})"


class WebhookEvent(models.Model):
    """Every provider event received, once per (provider, event id): duplicates are
    recognised and answered without a second effect."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


class WebhookDelivery(models.Model):
    """Each signed delivery accepted, by its signature: the same signed request presented
    again is a replay and is refused, while a provider's redelivery of an event (new
    timestamp, new signature) is accepted and found to be a duplicate by its event id."""

    provider = models.CharField(max_length=20)
    signature = models.CharField(max_length=300)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "signature"], name="webhook_delivery_once")]

    def __str__(self) -> str:
        return f"{self.provider} delivery at {self.received_at:%Y-%m-%d %H:%M:%S}"


class StaffAlert(models.Model):
    """Something staff must look at, e.g. money that arrived for a deleted registration (P4)
    or an email the mail server refused for good (N6)."""

    class Kind(models.TextChoices):
        LATE_PAYMENT = "late_payment", "Payment for a deleted registration"
        OVERPAYMENT = "overpayment", "Payment larger than the balances"
        EMAIL_FAILED = "email_failed", "Email refused by the mail server"
        REFUND_DUE = "refund_due", "Money owed back after a cancellation"

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=1000)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The email that failed (EMAIL_FAILED): one alert per failed email, however many workers look.
    notification = models.OneToOneField(
        "notifications.Notification", on_delete=models.PROTECT, null=True, blank=True, related_name="staff_alert"
    )
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "created_at"], name="alert_open_idx", condition=Q(resolved_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message[:60]}"


class SandboxCheckout(models.Model):
    """A payment page of the sandbox provider, the stand-in for a real provider that `make run`
    uses: what is being paid, where the customer goes back to, and what they chose there."""

    class Choice(models.TextChoices):
        PAY = "pay", "Pay"
        DECLINE = "decline", "Decline"
        ABANDON = "abandon", "Abandon"

    session = models.OneToOneField(PaymentSession, on_delete=models.PROTECT, related_name="sandbox_checkout")
    # The page's address and the PaymentSession's provider_session_id: random, unguessable.
    token = models.CharField(max_length=64, unique=True)
    return_url = models.CharField(max_length=500)
    choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    chosen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"sandbox checkout {self.token} ({self.choice or 'open'})"


class SandboxDelivery(models.Model):
    """A webhook the sandbox will send for a choice made on its page, after a delay as a real
    provider would. The body is fixed when the choice is made; each attempt is signed afresh
    when it is sent, so a retry is a new delivery of the same event, never a replay."""

    checkout = models.OneToOneField(SandboxCheckout, on_delete=models.PROTECT, related_name="delivery")
    body = models.TextField()
    # When the next attempt is due: the delay at first, then pushed on while a worker is
    # sending it (a lease) and after a failed attempt (a back-off).
    deliver_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        # The job's "what is due" query: undelivered rows by deliver_at.
        indexes = [
            models.Index(fields=["deliver_at"], name="sandbox_delivery_due_idx", condition=Q(delivered_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"sandbox delivery {self.pk} ({'delivered' if self.delivered_at else 'pending'})"

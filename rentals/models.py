from django.conf import settings
from django.db import models


class RentalRequest(models.Model):
    """S6: a portal booking of a facility that requires approval. Its time is held by claims of
    kind *rental request* (capacity's ledger, D1) until staff approve it (the claims become the
    order's registrations, on account, payable online) or decline it (the claims are released
    and the customer told), or the customer withdraws it. A request nobody decides before its
    time starts lapses by itself: its claims expire at the rental's start (D2)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="rental_requests")
    facility = models.ForeignKey("catalog.Facility", on_delete=models.PROTECT, related_name="requests")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The held claims, one per rental slot; capacity writes them, this only points at them.
    claims = models.ManyToManyField("capacity.Claim", related_name="+")
    total = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(max_length=500, blank=True, help_text="the customer's words to the office")
    decision_note = models.CharField(max_length=500, blank=True, help_text="the office's words to the customer")
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="rental_request"
    )
    channel = models.CharField(max_length=10)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The approvals queue: one organization's pending requests, oldest first.
            models.Index(fields=["organization", "status", "requested_at"], name="rental_request_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="rental_request_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"rental request {self.pk} ({self.status})"

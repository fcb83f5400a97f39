from django.conf import settings
from django.db import models


class Registration(models.Model):
    """A participant's enrollment in an offering (or a household's rental booking), made at
    checkout. Its capacity is its claim in the ledger: tentative while payment is
    outstanding (P2), confirmed once paid, cancelled when deleted (P6). Deleting archives:
    the row stays with `deleted_at` set."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="registrations")
    participant = models.ForeignKey(
        "households.Participant", on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    offering = models.ForeignKey("catalog.Offering", on_delete=models.PROTECT, related_name="registrations")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="registrations")
    order_line = models.OneToOneField("orders.OrderLine", on_delete=models.PROTECT, related_name="registration")
    claim = models.OneToOneField("capacity.Claim", on_delete=models.PROTECT, related_name="registration")
    channel = models.CharField(max_length=10)
    submitted_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "staff", "grace_period" (G3) or "payment_window" (G2)
    deleted_reason = models.CharField(max_length=20, blank=True)
    # What the staff member who deleted it wrote (P6); kept when it is restored (P7).
    # db_default: rows written by raw SQL (the benchmarks) need not name it.
    deleted_note = models.CharField(max_length=500, blank=True, db_default="")

    class Meta:
        indexes = [models.Index(fields=["household", "submitted_at"], name="registration_household_idx")]

    def __str__(self) -> str:
        return f"registration {self.pk}"

    @property
    def state(self) -> str:
        return self.claim.state

from django.db import models

from organizations.models import Organization


class Facility(models.Model):
    """A rentable place (a gym, a pavilion). Its time is sold as rental-slot offerings."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="facilities")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name


class Offering(models.Model):
    """Anything with (optionally limited) capacity that can be registered for."""

    class Kind(models.TextChoices):
        CLASS = "class", "Class"
        CAMP = "camp", "Camp session"
        MEMBERSHIP = "membership", "Membership"
        RENTAL = "rental", "Rental slot"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offerings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    # None means unlimited. Holds and registrations are still recorded as claims.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # Rental slots only: the facility and the half-open instant range [starts_at, ends_at).
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="slots")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The catalog page lists one organization's live offerings by kind.
            models.Index(fields=["organization", "kind", "is_archived"], name="offering_catalog_idx"),
            # Rental lookups: the slots of one facility in a time range.
            models.Index(fields=["facility", "starts_at"], name="offering_facility_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="offering_price_not_negative", condition=models.Q(price__gte=0)),
            models.CheckConstraint(
                name="offering_age_range",
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(min_age__lte=models.F("max_age")),
            ),
            models.CheckConstraint(
                name="offering_rental_has_slot",
                condition=~models.Q(kind="rental")
                | models.Q(facility__isnull=False, starts_at__isnull=False, starts_at__lt=models.F("ends_at")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """One scheduled meeting of a class (or a day of a camp)."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))
            )
        ]

    def __str__(self) -> str:
        return f"meeting of offering {self.offering_id} at {self.starts_at:%Y-%m-%d %H:%M}"

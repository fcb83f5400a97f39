from django.db import models

from organizations.models import Organization


class Program(models.Model):
    """A group of offerings the office manages together ("Swim lessons", "Summer camps"),
    season by season; the occupancy report groups by it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    season = models.CharField(max_length=60, blank=True, help_text='e.g. "Summer 2026"')
    is_archived = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name", "season"], name="program_unique_name_per_season")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.season})" if self.season else self.name


class Facility(models.Model):
    """A rentable place (a gym, a pavilion). Its time is sold as rental-slot offerings."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="facilities")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # S6: a portal booking of this facility's slots is a request that staff approve or decline.
    requires_approval = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name


class BookableHours(models.Model):
    """When a facility can be booked on one day of the week (its rental slots are made in
    these hours only); a facility with none is bookable at no time."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 Monday ... 6 Sunday")
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(name="hours_weekday_range", condition=models.Q(weekday__lte=6)),
            models.CheckConstraint(
                name="hours_close_after_open", condition=models.Q(closes_at__gt=models.F("opens_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} day {self.weekday} {self.opens_at}-{self.closes_at}"


class Closure(models.Model):
    """A day the organization is closed (a holiday): no meeting is scheduled on it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="closures")
    day = models.DateField()
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="closure_one_per_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.name}"


class Offering(models.Model):
    """Anything with (optionally limited) capacity that can be registered for."""

    class Kind(models.TextChoices):
        CLASS = "class", "Class"
        CAMP = "camp", "Camp session"
        MEMBERSHIP = "membership", "Membership"
        RENTAL = "rental", "Rental slot"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offerings")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, null=True, blank=True, related_name="offerings")
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
    # E1: ages are taken on this day (e.g. December 31 of the season's year); None: the first day.
    age_cutoff_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # Rental slots only: the facility and the half-open instant range [starts_at, ends_at).
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="slots")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_archived = models.BooleanField(default=False)
    # F2: cancelled offerings are archived too; their registrations were deleted and told.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    # Seed 003's "administrator of the event or class": registration notices (N2, G3) for this
    # offering go to its own recipient when set, else to the organization's administrator
    # email; None follows the organization's on/off, True or False overrides it.
    registration_notifications = models.BooleanField(null=True, blank=True)
    notification_email = models.EmailField(blank=True)
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


class Schedule(models.Model):
    """A weekly meeting pattern: on the chosen weekdays between two dates, from one time to
    another; its meetings are made from it (catalog.policies.meeting_days), skipping the
    organization's closures and the schedule's own exceptions."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="schedules")
    weekdays = models.JSONField(default=list, help_text="0 Monday ... 6 Sunday")
    starts_on = models.DateField()
    ends_on = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    location = models.CharField(max_length=200, blank=True)
    exceptions = models.JSONField(default=list, blank=True, help_text="ISO dates without a meeting")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="schedule_dates_in_order", condition=models.Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="schedule_times_in_order", condition=models.Q(ends_at__gt=models.F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"schedule of offering {self.offering_id}"


class Meeting(models.Model):
    """One scheduled meeting of a class (or a day of a camp)."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="meetings")
    schedule = models.ForeignKey(Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings")
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

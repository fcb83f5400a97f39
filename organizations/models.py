import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

CART_MINUTES_MIN = 5
CART_MINUTES_MAX = 120


def validate_cart_minutes(value: int) -> None:
    """T1: cart timeout and limit are whole minutes from 5 to 120."""
    if not CART_MINUTES_MIN <= value <= CART_MINUTES_MAX:
        raise ValidationError(
            f"Must be between {CART_MINUTES_MIN} and {CART_MINUTES_MAX} minutes (got {value}).",
            code="out_of_range",
        )


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}.", code="invalid_time_zone")


class Organization(models.Model):
    """One department or club: its own programs, staff, customers, settings and time zone."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="America/Toronto", validators=[validate_time_zone])
    # T1, T5: portal carts and the office enrollment wizards have separate timers.
    cart_timeout_minutes = models.PositiveSmallIntegerField(default=20, validators=[validate_cart_minutes])
    cart_limit_minutes = models.PositiveSmallIntegerField(default=60, validators=[validate_cart_minutes])
    office_cart_timeout_minutes = models.PositiveSmallIntegerField(default=60, validators=[validate_cart_minutes])
    office_cart_limit_minutes = models.PositiveSmallIntegerField(default=120, validators=[validate_cart_minutes])
    admin_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="org_cart_timeout_range",
                condition=models.Q(
                    cart_timeout_minutes__gte=CART_MINUTES_MIN, cart_timeout_minutes__lte=CART_MINUTES_MAX
                ),
            ),
            models.CheckConstraint(
                name="org_cart_limit_range",
                condition=models.Q(cart_limit_minutes__gte=CART_MINUTES_MIN, cart_limit_minutes__lte=CART_MINUTES_MAX),
            ),
            models.CheckConstraint(
                name="org_office_timeout_range",
                condition=models.Q(
                    office_cart_timeout_minutes__gte=CART_MINUTES_MIN, office_cart_timeout_minutes__lte=CART_MINUTES_MAX
                ),
            ),
            models.CheckConstraint(
                name="org_office_limit_range",
                condition=models.Q(
                    office_cart_limit_minutes__gte=CART_MINUTES_MIN, office_cart_limit_minutes__lte=CART_MINUTES_MAX
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Permission(models.TextChoices):
    MANAGE_SETTINGS = "manage_settings", "Manage settings"
    MANAGE_CATALOG = "manage_catalog", "Manage programs and offerings"
    ENROLL = "enroll", "Enroll customers"
    OVERRIDE_CAPACITY = "override_capacity", "Enroll beyond capacity"
    TAKE_PAYMENTS = "take_payments", "Take payments"
    DELETE_ENROLLMENTS = "delete_enrollments", "Delete enrollments"


class StaffMembership(models.Model):
    """A user's staff role in one organization; permissions never cross organizations (X1)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships")
    title = models.CharField(max_length=100, blank=True)
    permissions = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="staff_one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    def has_permission(self, permission: str) -> bool:
        return self.is_active and permission in self.permissions

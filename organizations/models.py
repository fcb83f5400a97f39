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


GRACE_HOURS_MIN = -1
GRACE_HOURS_MAX = 87_600  # ten years: "arbitrarily large"; G5 caps what is ever deleted anyway


def validate_grace_hours(value: int) -> None:
    """G1-G3: 0 keeps unpaid registrations, -1 deletes them quietly, N > 0 gives N hours."""
    if not GRACE_HOURS_MIN <= value <= GRACE_HOURS_MAX:
        raise ValidationError(
            f"Must be -1 (delete quietly), 0 (keep until staff act) or a number of hours up to {GRACE_HOURS_MAX} "
            f"(got {value}).",
            code="out_of_range",
        )


def validate_payment_window(value: int) -> None:
    if not 5 <= value <= 1440:
        raise ValidationError(f"Must be between 5 and 1440 minutes (got {value}).", code="out_of_range")


def validate_throttle(value: int) -> None:
    if not 1 <= value <= 1000:
        raise ValidationError(f"Must be between 1 and 1000 notifications per run (got {value}).", code="out_of_range")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}.", code="invalid_time_zone")


# X6, F1: a household's fair share, each a whole number from 1 to FAIR_SHARE_MAX
# (capacity.fairshare enforces them; organizations.preferences describes them).
FAIR_SHARE_MAX = 1000
FAIR_SHARE_DEFAULTS = {
    "max_unpaid_seats_per_household": 20,
    "max_seats_per_offering_per_household": 6,
    "max_participants_added_per_day": 10,
    "max_adds_per_minute": 20,
    "max_unpaid_seats_per_checkout": 12,
}


def validate_fair_share(value: int) -> None:
    if not 1 <= value <= FAIR_SHARE_MAX:
        raise ValidationError(f"Must be between 1 and {FAIR_SHARE_MAX} (got {value}).", code="out_of_range")


# T5: the office wizards' timers, a (timeout, limit) pair per wizard.
OFFICE_TIMER_FIELDS = (
    "office_class_timeout_minutes",
    "office_class_limit_minutes",
    "office_camp_timeout_minutes",
    "office_camp_limit_minutes",
)


class Organization(models.Model):
    """One department or club: its own programs, staff, customers, settings and time zone."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="America/Toronto", validators=[validate_time_zone])
    # T1, T5: portal carts and the office's two enrollment wizards (class and camp, as the
    # seeds' Class Settings and Camp Settings) each have their own timer.
    cart_timeout_minutes = models.PositiveSmallIntegerField(default=20, validators=[validate_cart_minutes])
    cart_limit_minutes = models.PositiveSmallIntegerField(default=60, validators=[validate_cart_minutes])
    office_class_timeout_minutes = models.PositiveSmallIntegerField(default=60, validators=[validate_cart_minutes])
    office_class_limit_minutes = models.PositiveSmallIntegerField(default=120, validators=[validate_cart_minutes])
    office_camp_timeout_minutes = models.PositiveSmallIntegerField(default=60, validators=[validate_cart_minutes])
    office_camp_limit_minutes = models.PositiveSmallIntegerField(default=120, validators=[validate_cart_minutes])
    admin_email = models.EmailField(blank=True)
    # Unpaid registrations (G1-G5): 0 keep, -1 delete quietly after the payment window, N hours.
    grace_period_hours = models.IntegerField(default=0, validators=[validate_grace_hours])
    payment_window_minutes = models.PositiveSmallIntegerField(default=20, validators=[validate_payment_window])
    # N2: the administrator is told of incomplete registrations (off by default).
    registration_notifications = models.BooleanField(default=False)
    # N4: at most this many notifications per organization per background run.
    notification_throttle = models.PositiveSmallIntegerField(default=5, validators=[validate_throttle])
    # B2: households may pay balances of orders put on account online.
    pay_balances_online = models.BooleanField(default=False)
    payment_provider = models.CharField(
        max_length=20,
        choices=[("none", "Offline payments only"), ("sandbox", "Sandbox (demo)"), ("stripe", "Stripe")],
        default="none",
    )
    # The provider's keys for this organization; the secrets are write-only (never shown back,
    # never written to the audit trail): the settings API and page say only whether one is set.
    payment_publishable_key = models.CharField(max_length=200, blank=True)
    payment_secret_key = models.CharField(max_length=200, blank=True)
    payment_webhook_secret = models.CharField(max_length=200, blank=True)
    # X6, F1: no household takes more than its fair share (capacity.fairshare).
    max_unpaid_seats_per_household = models.PositiveSmallIntegerField(
        default=FAIR_SHARE_DEFAULTS["max_unpaid_seats_per_household"], validators=[validate_fair_share]
    )
    max_seats_per_offering_per_household = models.PositiveSmallIntegerField(
        default=FAIR_SHARE_DEFAULTS["max_seats_per_offering_per_household"], validators=[validate_fair_share]
    )
    max_participants_added_per_day = models.PositiveSmallIntegerField(
        default=FAIR_SHARE_DEFAULTS["max_participants_added_per_day"], validators=[validate_fair_share]
    )
    max_adds_per_minute = models.PositiveSmallIntegerField(
        default=FAIR_SHARE_DEFAULTS["max_adds_per_minute"], validators=[validate_fair_share]
    )
    max_unpaid_seats_per_checkout = models.PositiveSmallIntegerField(
        default=FAIR_SHARE_DEFAULTS["max_unpaid_seats_per_checkout"], validators=[validate_fair_share]
    )
    locale = models.CharField(
        max_length=10,
        choices=[("en-ca", "English (Canada)"), ("en-us", "English (US)"), ("fr-ca", "Français (Canada)")],
        default="en-ca",
    )
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
            *(
                models.CheckConstraint(
                    name=f"org_{field}_range",
                    condition=models.Q(**{f"{field}__gte": CART_MINUTES_MIN, f"{field}__lte": CART_MINUTES_MAX}),
                )
                for field in OFFICE_TIMER_FIELDS
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
    TEACH = "teach", "Instruct: attendance, own registrations on account"


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

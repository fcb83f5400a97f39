from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import record
from organizations.errors import InvalidSettings, PermissionDenied
from organizations.models import Organization, Permission, StaffMembership

EDITABLE_SETTINGS = (
    "name",
    "time_zone",
    "cart_timeout_minutes",
    "cart_limit_minutes",
    "office_class_timeout_minutes",
    "office_class_limit_minutes",
    "office_camp_timeout_minutes",
    "office_camp_limit_minutes",
    "admin_email",
    "grace_period_hours",
    "payment_window_minutes",
    "registration_notifications",
    "notification_throttle",
    "pay_balances_online",
    "payment_provider",
)


def require_permission(membership: StaffMembership | None, permission: str) -> StaffMembership:
    """Server-side permission check for every staff action (X1): the membership must be
    active and carry `permission`."""
    if membership is None or not membership.has_permission(permission):
        raise PermissionDenied(
            f"You need the '{Permission(permission).label}' permission in this organization."
            if permission in Permission.values
            else None
        )
    return membership


@transaction.atomic
def update_settings(*, membership: StaffMembership, changes: dict[str, Any], channel: str) -> Organization:
    """Change organization settings (T1, T5), validated field by field; a refused change
    changes nothing and names each bad field and its allowed range."""
    require_permission(membership, Permission.MANAGE_SETTINGS)
    unknown = sorted(set(changes) - set(EDITABLE_SETTINGS))
    if unknown:
        raise InvalidSettings(
            f"Unknown setting(s): {', '.join(unknown)}.", fields=dict.fromkeys(unknown, "unknown setting")
        )
    organization = Organization.objects.select_for_update().get(pk=membership.organization_id)
    before = {field: getattr(organization, field) for field in changes}
    for field, value in changes.items():
        setattr(organization, field, value)
    try:
        organization.full_clean(exclude=["slug"])
    except ValidationError as exc:
        fields = {k: " ".join(v) for k, v in exc.message_dict.items()}
        raise InvalidSettings(" ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields) from None
    organization.save(update_fields=list(changes))
    record(
        organization_id=organization.pk,
        verb="organization.settings_changed",
        channel=channel,
        actor_id=membership.user_id,
        subject_type="organization",
        subject_id=organization.pk,
        data={"before": {k: str(v) for k, v in before.items()}, "after": {k: str(v) for k, v in changes.items()}},
        now=timezone.now(),
    )
    return organization

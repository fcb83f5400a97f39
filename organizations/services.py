from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.tokens import DEACTIVATED, revoke_all_tokens
from audit.services import record
from organizations.errors import InvalidSettings, PermissionDenied
from organizations.models import Organization, Permission, StaffMembership
from organizations.preferences import SETTINGS, InvalidChange, clean_changes, public_value


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


def current_settings(organization: Organization) -> dict[str, Any]:
    """Every setting's stored value (secrets included: for services only, never shown)."""
    return {name: getattr(organization, name) for name in SETTINGS}


def shown_settings(organization: Organization) -> dict[str, Any]:
    """Every setting as it may be shown back (X7): a secret only says whether it is set
    (`<name>_set`)."""
    return {
        (f"{name}_set" if setting.kind == "secret" else name): public_value(setting, getattr(organization, name))
        for name, setting in SETTINGS.items()
    }


@transaction.atomic
def update_settings(*, membership: StaffMembership, changes: dict[str, Any], channel: str) -> Organization:
    """Change organization settings (X7), validated against organizations.preferences: an
    unknown key, a wrong type or a value out of range refuses the whole change, naming each
    bad field and its allowed range, and nothing changes. Audited; secrets are never written
    to the trail, only that they changed."""
    require_permission(membership, Permission.MANAGE_SETTINGS)
    if not isinstance(changes, dict):
        raise InvalidSettings("Send a JSON object of settings.", fields={})
    organization = Organization.objects.select_for_update().get(pk=membership.organization_id)
    try:
        cleaned = clean_changes(changes, current_settings(organization))
    except InvalidChange as exc:
        raise InvalidSettings(exc.refusal.message, fields=exc.refusal.fields) from None
    changed = {name: value for name, value in cleaned.items() if getattr(organization, name) != value}
    before = {name: _audited(name, getattr(organization, name)) for name in changed}
    for name, value in changed.items():
        setattr(organization, name, value)
    try:
        organization.full_clean(exclude=["slug"])  # the model's own validators, as a backstop
    except ValidationError as exc:
        fields = {k: " ".join(v) for k, v in exc.message_dict.items()}
        raise InvalidSettings(" ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields) from None
    if not changed:
        return organization
    organization.save(update_fields=list(changed))
    record(
        organization_id=organization.pk,
        verb="organization.settings_changed",
        channel=channel,
        actor_id=membership.user_id,
        subject_type="organization",
        subject_id=organization.pk,
        data={"before": before, "after": {name: _audited(name, value) for name, value in changed.items()}},
        now=timezone.now(),
    )
    return organization


def _audited(name: str, value: Any) -> Any:
    """A setting's value as the audit trail keeps it: a secret becomes "(set)" or "(empty)"."""
    if SETTINGS[name].kind == "secret":
        return "(set)" if value else "(empty)"
    return value


def end_membership(*, membership: StaffMembership, delete: bool = False) -> int:
    """Deactivate (or delete) a staff membership and revoke every API token of its user for good
    (issue 15 item 2): reactivated, the staff member signs in again. Returns how many ended."""
    if delete:
        membership.delete()
    elif membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
    return revoke_all_tokens(user_id=membership.user_id, now=timezone.now(), reason=DEACTIVATED)

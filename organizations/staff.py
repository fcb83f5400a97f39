"""The organization's staff and their permissions (X1), changed by an administrator from the
office: every change audited with the permissions before and after (X2), a deactivated member's
API tokens ended (end_membership). Nobody can take away the last way to manage the staff."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from audit.services import record
from organizations.errors import StaffChangeRefused, StaffMemberNotFound
from organizations.models import Permission, StaffMembership
from organizations.services import end_membership, require_permission


def staff_of(*, organization_id: int) -> list[StaffMembership]:
    """The organization's staff, active first, then by name."""
    return sorted(
        StaffMembership.objects.filter(organization_id=organization_id).select_related("user"),
        key=lambda m: (not m.is_active, (m.user.get_full_name() or m.user.get_username()).lower()),
    )


@transaction.atomic
def change_staff_member(
    *,
    membership: StaffMembership,
    member_id: int,
    permissions: Iterable[str] | None = None,
    is_active: bool | None = None,
    channel: str,
) -> StaffMembership:
    """Set a staff member's permissions and whether they are active (None: as they are).
    Refused: a member of another organization (not found, as for no member at all), an unknown
    permission, or a change that leaves no active member able to manage the settings."""
    require_permission(membership, Permission.MANAGE_SETTINGS)
    member = (
        StaffMembership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, pk=member_id)
        .select_related("user")
        .first()
    )
    if member is None:
        raise StaffMemberNotFound
    wanted = sorted(set(member.permissions if permissions is None else permissions))
    is_active = member.is_active if is_active is None else is_active
    unknown = [p for p in wanted if p not in Permission.values]
    if unknown:
        raise StaffChangeRefused(f"Unknown permission: {', '.join(unknown)}.")
    others = StaffMembership.objects.filter(organization_id=membership.organization_id, is_active=True).exclude(
        pk=member.pk
    )
    keeps_managing = is_active and Permission.MANAGE_SETTINGS in wanted
    if not keeps_managing and not any(Permission.MANAGE_SETTINGS in m.permissions for m in others):
        raise StaffChangeRefused(
            f"{member.user.get_full_name() or member.user.get_username()} is the last active staff member who may "
            "manage the settings: give that permission to someone else first."
        )
    before = {"permissions": sorted(member.permissions), "is_active": member.is_active}
    after = {"permissions": wanted, "is_active": is_active}
    if before == after:
        return member
    member.permissions = wanted
    member.save(update_fields=["permissions"])
    if not is_active and member.is_active:
        end_membership(membership=member)
    elif is_active and not member.is_active:
        member.is_active = True
        member.save(update_fields=["is_active"])
    record(
        organization_id=membership.organization_id,
        verb="staff.changed",
        channel=channel,
        actor_id=membership.user_id,
        subject_type="user",
        subject_id=member.user_id,
        data={"before": before, "after": after, "user": member.user.get_username()},
        now=timezone.now(),
    )
    return member

"""Staff and permissions (X1) in the API, as Setup > Staff and permissions: an administrator
(*manage settings*) lists the organization's staff and changes what a member may do (audited;
the last active manager of the settings keeps that permission)."""

from typing import Literal

from ninja import Router, Schema
from pydantic import ConfigDict

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.types import Id
from audit.models import Channel
from organizations.models import Permission, StaffMembership
from organizations.staff import change_staff_member, staff_of

router = Router(tags=["setup"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
PermissionName = Literal[
    "manage_settings", "manage_catalog", "enroll", "override_capacity", "take_payments", "delete_enrollments", "teach"
]


class StaffMemberOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    title: str
    is_active: bool
    permissions: list[str]


class StaffMemberChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    permissions: list[PermissionName] | None = None
    is_active: bool | None = None


def member_out(member: StaffMembership) -> dict[str, object]:
    return {
        "id": member.pk,
        "user_id": member.user_id,
        "username": member.user.get_username(),
        "name": member.user.get_full_name(),
        "title": member.title,
        "is_active": member.is_active,
        "permissions": sorted(member.permissions),
    }


@router.get("/orgs/{slug}/setup/staff", response={200: list[StaffMemberOut], **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def staff_list(request: StaffRequest, slug: str) -> list[dict[str, object]]:
    """The organization's staff, active first, with their permissions."""
    return [member_out(m) for m in staff_of(organization_id=request.membership.organization_id)]


@router.patch("/orgs/{slug}/setup/staff/{member_id}", response={200: StaffMemberOut, **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def change_member(request: StaffRequest, slug: str, member_id: Id, payload: StaffMemberChangeIn) -> dict[str, object]:
    """Set a member's permissions and/or whether they are active (an inactive member's API
    tokens end); 409 when no active member could manage the settings any more (audited)."""
    member = change_staff_member(
        membership=request.membership,
        member_id=member_id,
        permissions=payload.permissions,
        is_active=payload.is_active,
        channel=Channel.API,
    )
    return member_out(member)

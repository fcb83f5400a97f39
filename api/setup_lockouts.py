"""Sign-in lock-outs (X6) in the API: an administrator (*manage settings*) lists the
organization's people locked out for failed sign-ins and lifts a lock-out."""

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema, Status

from api.auth import AUTH
from api.context import ApiRequest, staff_membership
from api.schemas import ErrorOut
from audit.models import Channel
from households.lockouts import lift_lockout, organization_lockouts
from organizations.models import Permission

router = Router(tags=["setup"], auth=AUTH)
REFUSALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class LockoutOut(Schema):
    id: int
    username: str
    user_id: int | None
    failures: int
    locked_until: datetime


@router.get("/orgs/{slug}/setup/lockouts", response={200: list[LockoutOut], **REFUSALS})
def lockouts(request: ApiRequest, slug: str) -> list[dict[str, object]]:
    """Account lock-outs in force of this organization's staff and payers."""
    membership = staff_membership(request, slug, Permission.MANAGE_SETTINGS)
    return [
        {
            "id": row.pk,
            "username": row.key,
            "user_id": row.user_id,
            "failures": row.failures,
            "locked_until": row.locked_until,
        }
        for row in organization_lockouts(organization_id=membership.organization_id, now=timezone.now())
    ]


@router.delete("/orgs/{slug}/setup/lockouts/{lockout_id}", response={204: None, **REFUSALS})
def lift(request: ApiRequest, slug: str, lockout_id: int) -> Status:
    """Lift one lock-out: the person may sign in again at once (audited)."""
    lift_lockout(membership=staff_membership(request, slug), lockout_id=lockout_id, channel=Channel.API)
    return Status(204, None)

"""Sign-in lock-outs (X6) in the API: an administrator (*manage settings*) lists the
organization's people locked out for failed sign-ins and lifts a lock-out."""

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.types import Id
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
@staff(Permission.MANAGE_SETTINGS)
def lockouts(request: StaffRequest, slug: str) -> list[dict[str, object]]:
    """Account lock-outs in force of this organization's staff and payers."""
    membership = request.membership
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
@staff(Permission.MANAGE_SETTINGS)
def lift(request: StaffRequest, slug: str, lockout_id: Id) -> Status:
    """Lift one lock-out: the person may sign in again at once (audited)."""
    lift_lockout(membership=request.membership, lockout_id=lockout_id, channel=Channel.API)
    return Status(204, None)

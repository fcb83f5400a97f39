"""The absence-reason list (A2, A5) in the API: read, add, rename, mark usable by customers or
not, retire. Administrators only (*manage settings*), checked by attendance.services."""

from ninja import Field, Router, Schema, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.types import Id
from attendance.selectors import all_absence_reasons
from attendance.services import add_absence_reason, change_absence_reason
from audit.models import Channel
from organizations.models import Permission

router = Router(tags=["setup"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 503: ErrorOut}


class ReasonIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    is_customer_usable: bool = Field(description="A2: customers may choose it for their own absences")


class ReasonChangeIn(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    is_customer_usable: bool | None = None
    is_active: bool | None = Field(default=None, description="false retires it; records keep it")


class ReasonOut(Schema):
    id: int
    name: str
    is_customer_usable: bool
    is_active: bool
    position: int


@router.get("/orgs/{slug}/setup/absence-reasons", response={200: list[ReasonOut], **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def reasons(request: StaffRequest, slug: str) -> object:
    membership = request.membership
    return all_absence_reasons(organization_id=membership.organization_id)


@router.post("/orgs/{slug}/setup/absence-reasons", response={201: ReasonOut, **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def add_reason(request: StaffRequest, slug: str, payload: ReasonIn) -> Status:
    reason = add_absence_reason(membership=request.membership, channel=Channel.OFFICE, **payload.dict())
    return Status(201, reason)


@router.patch("/orgs/{slug}/setup/absence-reasons/{reason_id}", response={200: ReasonOut, **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def change_reason(request: StaffRequest, slug: str, reason_id: Id, payload: ReasonChangeIn) -> object:
    return change_absence_reason(
        membership=request.membership,
        reason_id=reason_id,
        channel=Channel.OFFICE,
        **payload.dict(exclude_unset=True),
    )

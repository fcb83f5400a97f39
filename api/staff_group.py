"""The staff JSON API of group enroll (issue 13, item 4; S4, C6): what the office's group page does."""

from datetime import datetime

from ninja import Field, Router, Schema

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.types import Id
from carts.services.group import MAX_GROUP, Member, group_enroll
from monitoring.counters import count_add, count_refusal
from organizations.models import Permission

router = Router(tags=["staff"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


class MemberIn(Schema):
    household_id: int = Field(ge=1, le=2**31 - 1)
    participant_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class GroupIn(Schema):
    members: list[MemberIn] = Field(min_length=1, max_length=MAX_GROUP)
    mode: str = Field(description="all: all or nothing (409 group_does_not_fit); fit: as many as fit, in order")
    override_reason: str | None = Field(default=None, max_length=500, description="C6: needs the override permission")


class EnrolledOut(Schema):
    household_id: int
    participant_id: int | None
    claim_id: int
    cart_expires_at: datetime


class RefusedOut(Schema):
    household_id: int
    participant_id: int | None
    code: str = Field(description="the refusal's code, as the single add answers it (offering_full, ...)")
    reason: str


class GroupOut(Schema):
    mode: str
    enrolled: list[EnrolledOut]
    refused: list[RefusedOut]


@router.post("/orgs/{slug}/staff/offerings/{offering_id}/group-enroll", response={200: GroupOut, **REFUSALS})
@staff(Permission.ENROLL)
def enroll_group(request: StaffRequest, slug: str, offering_id: Id, payload: GroupIn) -> dict[str, object]:
    """Hold a seat in each member's family cart (office timer, T5), all or nothing or as many as fit."""
    outcome = group_enroll(
        membership=request.membership,
        offering_id=offering_id,
        members=[Member(m.household_id, m.participant_id) for m in payload.members],
        mode=payload.mode,
        override_reason=payload.override_reason,
    )
    # One answer for many seats and refusals: counted here, not by its status.
    count_add("office", len(outcome.enrolled))
    for turned_away in outcome.refused:
        count_refusal("add", "office", turned_away.code)
    return {
        "mode": outcome.mode,
        "enrolled": [
            {
                "household_id": m.household_id,
                "participant_id": m.participant_id,
                "claim_id": result.claims[0].pk,
                "cart_expires_at": result.expires_at,
            }
            for m, result in outcome.enrolled
        ],
        "refused": [
            {"household_id": m.household_id, "participant_id": m.participant_id, "code": code, "reason": why}
            for m, code, why in outcome.refused
        ],
    }

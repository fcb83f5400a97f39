"""Administration endpoints (issue 14, X7, F2): every preview and the action it previews,
on the same services as the office's setup pages."""

from django.utils import timezone
from ninja import Router

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.context import json_body
from api.schemas import ErrorOut
from api.setup_schemas import CancelIn, CancellationPlanOut, CapacityIn, CapacityPlanOut, SettingsPreviewOut
from api.types import Count, Id
from bulk.cancellation import CancellationPlan, cancel_offering, preview_cancellation
from bulk.capacity import CapacityPlan, change_capacity, preview_capacity_change
from bulk.settings import SettingsPreview, preview_settings
from organizations.models import Organization, Permission
from organizations.preferences import json_schema
from registrations.impacts import GraceImpacts

router = Router(tags=["setup"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


def impacts_out(impacts: GraceImpacts, organization: Organization) -> dict[str, object]:
    """G6 as the API shows it: every registration the rule would act on, and its emails."""
    return {
        "grace_period_hours": impacts.grace_period_hours,
        "computed_at": impacts.now,
        "deletions": len(impacts.deletions),
        "emails": len(impacts.emails),
        "rows": [
            {
                "registration_id": row.registration.pk,
                "household_name": row.registration.household.name,
                "participant_name": row.registration.participant.full_name if row.registration.participant else None,
                "offering_name": row.registration.offering.name,
                "submitted_at": row.registration.submitted_at,
                "amount_due": row.registration.order.balance,
                "deletes_now": row.deletes,
                "scheduled_for_deletion_at": row.scheduled_for,
                "emails": [{"kind": str(kind), "to": to} for kind, to in row.recipients(organization)],
            }
            for row in impacts.rows
        ],
    }


def settings_preview_out(preview: SettingsPreview, organization: Organization) -> dict[str, object]:
    return {
        "changed": [{"name": k, "before": before, "after": after} for k, (before, after) in preview.changed.items()],
        "grace": impacts_out(preview.grace, organization) if preview.grace else None,
        "carts": [row.__dict__ | {"changes": row.changes} for row in preview.carts],
    }


@router.post(
    "/orgs/{slug}/settings/preview",
    response={200: SettingsPreviewOut, **REFUSALS},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": json_schema()}}}},
)
@staff(Permission.MANAGE_SETTINGS)
def preview_settings_change(request: StaffRequest, slug: str) -> dict[str, object]:
    """See before you save (G6, F2): what PATCH settings with this body would do — the values
    that change, the Grace Period Impacts of a new grace period, the live carts a new timer
    retimes — refused exactly as the PATCH would be; nothing is saved."""
    membership = request.membership
    preview = preview_settings(membership=membership, changes=json_body(request), now=timezone.now())
    return settings_preview_out(preview, membership.organization)


def capacity_out(plan: CapacityPlan) -> dict[str, object]:
    return plan.__dict__ | {"free_after": plan.free_after, "over": [seat.__dict__ for seat in plan.over]}


@router.get("/orgs/{slug}/setup/offerings/{offering_id}/capacity", response={200: CapacityPlanOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def capacity_preview(request: StaffRequest, slug: str, offering_id: Id, capacity: Count | None = None) -> object:
    """F2: who would be over if the offering had `capacity` seats (omit it for unlimited)."""
    membership = request.membership
    return capacity_out(
        preview_capacity_change(membership=membership, offering_id=offering_id, capacity=capacity, now=timezone.now())
    )


@router.put("/orgs/{slug}/setup/offerings/{offering_id}/capacity", response={200: CapacityPlanOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def capacity_change(request: StaffRequest, slug: str, offering_id: Id, payload: CapacityIn) -> object:
    """Change capacity under the offering's lock. Below the seats taken it is refused (409
    `capacity_below_taken`, the seats over in `details.over`) unless `override_reason` is
    given; nobody loses a seat either way (C2, C6)."""
    membership = request.membership
    return capacity_out(
        change_capacity(
            membership=membership,
            offering_id=offering_id,
            capacity=payload.capacity,
            override_reason=payload.override_reason,
        )
    )


def cancellation_out(plan: CancellationPlan) -> dict[str, object]:
    return {
        "offering_id": plan.offering_id,
        "offering_name": plan.offering_name,
        "households_told": len(plan.households_told),
        "total_owed": plan.total_owed,
        "rows": [row.__dict__ for row in plan.rows],
    }


@router.get("/orgs/{slug}/setup/offerings/{offering_id}/cancellation", response={200: CancellationPlanOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def cancellation_preview(request: StaffRequest, slug: str, offering_id: Id) -> object:
    """F2: who would be released, deleted, told and owed money back if the offering were cancelled."""
    membership = request.membership
    return cancellation_out(preview_cancellation(membership=membership, offering_id=offering_id, now=timezone.now()))


@router.post("/orgs/{slug}/setup/offerings/{offering_id}/cancellation", response={200: CancellationPlanOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def cancellation(request: StaffRequest, slug: str, offering_id: Id, payload: CancelIn) -> object:
    """Cancel the offering as the preview showed: seats ended in bounded batches, each
    household told once, money owed raised as *refund due* alerts (B6)."""
    membership = request.membership
    return cancellation_out(cancel_offering(membership=membership, offering_id=offering_id, reason=payload.reason))

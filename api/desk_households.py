"""The desk's household endpoints (S8), what the office's household pages do: search, create,
one household with everything its page shows, notes."""

from django.utils import timezone
from ninja import Router, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.carts import cart_out
from api.desk_schemas import HouseholdCreateIn, HouseholdFoundOut, NoteIn, NoteOut, StaffHouseholdOut
from api.schemas import ErrorOut
from api.types import Id
from audit.models import Channel
from audit.selectors import audit_events
from carts.selectors import open_cart_view
from households.models import HouseholdNote
from households.selectors import get_household_for_org, household_notes, search_households
from households.services import NewParticipant, add_household_note, create_household
from organizations.errors import PermissionDenied
from organizations.models import Permission, StaffMembership
from registrations.selectors import household_orders, household_registrations, payment_status

router = Router(tags=["staff: desk"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}
DESK = (Permission.ENROLL, Permission.TAKE_PAYMENTS, Permission.DELETE_ENROLLMENTS)


def desk_membership(request: StaffRequest, slug: str) -> StaffMembership:
    """Staff who work at the desk: any of enroll, take payments, delete enrollments."""
    membership = request.membership
    if not any(membership.has_permission(p) for p in DESK):
        raise PermissionDenied("You need the 'Enroll customers' or 'Take payments' permission in this organization.")
    return membership


@router.get("/orgs/{slug}/staff/households", response={200: list[HouseholdFoundOut], **REFUSALS})
@staff(*DESK)
def find_households(request: StaffRequest, slug: str, q: str = "") -> list[object]:
    """S8: households where every word of `q` is in the payer's name, email or phone, or a
    participant's name (at most 25, by name)."""
    membership = desk_membership(request, slug)
    found = search_households(organization_id=membership.organization_id, query=q[:200])
    return [
        {"id": h.pk, "name": h.name, "email": h.email, "phone": h.phone, "participants": list(h.participants.all())}
        for h in found
    ]


@router.post("/orgs/{slug}/staff/households", response={201: StaffHouseholdOut, **REFUSALS})
@staff(Permission.ENROLL)
def new_household(request: StaffRequest, slug: str, payload: HouseholdCreateIn) -> Status:
    """S8: create a household at the desk (needs *enroll*); an email already used by a household
    here is a 409 naming it in `details.household_id`."""
    membership = request.membership
    household = create_household(
        membership=membership,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        participants=[NewParticipant(**p.dict()) for p in payload.participants],
        invite=payload.invite,
        channel=Channel.API,
    )
    return Status(201, household_out(membership, household.pk))


@router.get("/orgs/{slug}/staff/households/{household_id}", response={200: StaffHouseholdOut, **REFUSALS})
@staff(*DESK)
def get_household(request: StaffRequest, slug: str, household_id: Id) -> dict[str, object]:
    """S8: one household as its office page shows it."""
    return household_out(desk_membership(request, slug), household_id)


@router.post("/orgs/{slug}/staff/households/{household_id}/notes", response={201: NoteOut, **REFUSALS})
@staff(Permission.ENROLL)
def add_note(request: StaffRequest, slug: str, household_id: Id, payload: NoteIn) -> Status:
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    note = add_household_note(membership=membership, household=household, text=payload.text, channel=Channel.API)
    return Status(201, note_out(note))


def note_out(note: HouseholdNote) -> dict[str, object]:
    author = note.author
    return {
        "id": note.pk,
        "text": note.text,
        "author": author.get_full_name() or author.get_username(),
        "created_at": note.created_at,
    }


def household_out(membership: StaffMembership, household_id: Id) -> dict[str, object]:
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    now = timezone.now()
    cart = open_cart_view(household=household, now=now)
    organization = membership.organization
    return {
        "id": household.pk,
        "name": household.name,
        "email": household.email,
        "phone": household.phone,
        "has_login": household.payer_id is not None,
        "created_at": household.created_at,
        "participants": list(household.participants.order_by("pk")),
        "cart": cart_out(cart),
        "cart_held_by": cart.taken_over_by_name,
        "orders": [
            {
                "id": o.pk,
                "number": o.number,
                "total": o.total,
                "amount_paid": o.amount_paid,
                "balance": o.balance,
                "on_account": o.on_account,
                "created_at": o.created_at,
            }
            for o in household_orders(household=household)[:50]
        ],
        "registrations": [
            {
                "id": r.pk,
                "offering_id": r.offering_id,
                "offering_name": r.offering.name,
                "participant_name": r.participant.full_name if r.participant else None,
                "order_number": r.order.number,
                "payment_state": (status := payment_status(r, organization, now)).state,
                "scheduled_for_deletion_at": status.scheduled_for_deletion_at,
                "submitted_at": r.submitted_at,
                "deleted_at": r.deleted_at,
            }
            for r in household_registrations(household=household)[:100]
        ],
        "notes": [note_out(n) for n in household_notes(household=household)],
        "events": [
            {
                "verb": e.verb,
                "actor": (e.actor.get_username() if e.actor else e.actor_label),
                "channel": e.channel,
                "subject_type": e.subject_type,
                "subject_id": e.subject_id,
                "created_at": e.created_at,
            }
            for e in audit_events(organization_id=organization.pk, household_id=household.pk)[:40]
        ],
    }

from ninja import Router, Status

from api.access import CustomerRequest, customer, signed_in
from api.account import HouseholdIn, household_out, verify_link
from api.auth import AUTH
from api.context import ApiRequest, organization
from api.schemas import ErrorOut, HouseholdOut, ParticipantIn, ParticipantOut
from audit.models import Channel
from households.services import add_participant
from households.signup import add_household
from payments.credit import household_credit

router = Router(tags=["household"], auth=AUTH)


@router.get("/orgs/{slug}/household", response={200: HouseholdOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
@customer
def get_household(request: CustomerRequest, slug: str) -> dict[str, object]:
    """The caller's household and its participants."""
    household = request.household
    return {
        "id": household.pk,
        "name": household.name,
        "email": household.email,
        "phone": household.phone,
        "participants": list(household.participants.order_by("pk")),
        "credit": household_credit(household_id=household.pk),
    }


@router.post(
    "/orgs/{slug}/household/participants",
    response={201: ParticipantOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
@customer
def create_participant(request: CustomerRequest, slug: str, payload: ParticipantIn) -> Status:
    household = request.household
    participant = add_participant(household=household, channel=Channel.API, actor_id=request.auth.pk, **payload.dict())
    return Status(201, participant)


@router.post(
    "/orgs/{slug}/household",
    response={201: HouseholdOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
@signed_in
def create_household(request: ApiRequest, slug: str, payload: HouseholdIn) -> Status:
    """A household in this organization for the signed-in login, which has none here yet
    (409 `household_exists` otherwise)."""
    household = add_household(
        organization=organization(slug),
        user=request.auth,
        name=payload.name,
        phone=payload.phone,
        channel=Channel.API,
        link_for=verify_link(slug),
    )
    return Status(201, household_out(household))

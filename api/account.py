"""A family's account in the API (X3, the portal's sign-up and account pages): sign up, verify
the email address, a household for a login that has none here, correct a participant, the
private calendar feed's URL, and ask for a password reset email."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.tokens import issue_token
from api.access import CustomerRequest, customer, public
from api.auth import AUTH
from api.context import organization
from api.schemas import ErrorOut, HouseholdOut, ParticipantIn, ParticipantOut
from api.types import Id
from audit.models import Channel
from households import signup
from households.models import Household
from households.services import change_participant
from notifications.links import portal_link

router = Router(tags=["account"])
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class SignUpIn(Schema):
    name: str = Field(max_length=200, description="the household's or its payer's name")
    email: str = Field(max_length=150, description="also the login")
    phone: str = Field(default="", max_length=40)
    password: str = Field(max_length=128)


class SignUpOut(Schema):
    household: HouseholdOut
    token: str = Field(description="a bearer token for the new login")
    email_verified: bool


class HouseholdIn(Schema):
    name: str = Field(max_length=200)
    phone: str = Field(default="", max_length=40)


class VerifyIn(Schema):
    token: str = Field(max_length=500, description="the token of the link in the verification email")


class VerifiedOut(Schema):
    email: str
    email_verified: bool


class SentOut(Schema):
    sent: bool = Field(description="False when the address is verified already or a link was sent today")


class CalendarOut(Schema):
    url: str = Field(description="the household's private iCalendar feed of its upcoming meetings")


class PasswordResetIn(Schema):
    email: str = Field(max_length=254)


class AcceptedOut(Schema):
    message: str


def household_out(household: Household) -> dict[str, object]:
    return {
        "id": household.pk,
        "name": household.name,
        "email": household.email,
        "phone": household.phone,
        "participants": list(household.participants.order_by("pk")),
    }


def verify_link(slug: str) -> signup.LinkFor:
    return lambda token: portal_link("portal:verify_email", slug=slug, token=token)


def calendar_url(household: Household, token: str) -> str:
    return portal_link("portal:calendar_feed", slug=household.organization.slug, token=token)


@router.post("/orgs/{slug}/signup", response={201: SignUpOut, **REFUSALS}, auth=None)
@public
def create_account(request: HttpRequest, slug: str, payload: SignUpIn) -> Status:
    """Sign up: a login (its username is the email address) and a household; the address is
    verified by the link emailed to it. 409 `email_taken` when the address has a login."""
    household = signup.sign_up(
        organization=organization(slug),
        details=signup.SignUp(**payload.dict()),
        channel=Channel.API,
        link_for=verify_link(slug),
    )
    token = issue_token(user=household.payer, label="signup")  # type: ignore[arg-type]
    return Status(201, {"household": household_out(household), "token": token, "email_verified": False})


@router.post("/orgs/{slug}/household/email-verification", response={200: VerifiedOut, **REFUSALS}, auth=None)
@public
def verify_email(request: HttpRequest, slug: str, payload: VerifyIn) -> dict[str, object]:
    """The token of the emailed link proves the address (a week at most); again changes nothing."""
    household = signup.verify_email(organization=organization(slug), token=payload.token, channel=Channel.API)
    return {"email": household.email, "email_verified": True}


@router.post("/orgs/{slug}/household/email-verification/resend", response={200: SentOut, **REFUSALS}, auth=AUTH)
@customer
def resend_verification(request: CustomerRequest, slug: str) -> dict[str, object]:
    household = request.household
    return {"sent": signup.resend_verification(household=household, link_for=verify_link(slug))}


@router.patch(
    "/orgs/{slug}/household/participants/{participant_id}", response={200: ParticipantOut, **REFUSALS}, auth=AUTH
)
@customer
def edit_participant(request: CustomerRequest, slug: str, participant_id: Id, payload: ParticipantIn) -> object:
    """Correct a participant's names or birth date (the age rules read it at the next add)."""
    household = request.household
    return change_participant(
        household=household,
        participant_id=participant_id,
        channel=Channel.API,
        actor_id=request.auth.pk,
        **payload.dict(),
    )


@router.get("/orgs/{slug}/household/calendar", response={200: CalendarOut, **REFUSALS}, auth=AUTH)
@customer
def get_calendar(request: CustomerRequest, slug: str) -> dict[str, str]:
    """The private URL of the household's calendar feed (made on first use)."""
    household = request.household
    token = signup.calendar_token(household=household, channel=Channel.API, actor_id=request.auth.pk)
    return {"url": calendar_url(household, token)}


@router.post("/orgs/{slug}/household/calendar/reset", response={200: CalendarOut, **REFUSALS}, auth=AUTH)
@customer
def reset_calendar(request: CustomerRequest, slug: str) -> dict[str, str]:
    """A new private URL; the old one stops working at once."""
    household = request.household
    token = signup.reset_calendar_token(household=household, channel=Channel.API, actor_id=request.auth.pk)
    return {"url": calendar_url(household, token)}


@router.post("/orgs/{slug}/password-reset", response={202: AcceptedOut, **REFUSALS}, auth=None)
@public
def password_reset(request: HttpRequest, slug: str, payload: PasswordResetIn) -> Status:
    """Email a link to choose a new password, if the address has a login; the answer is the
    same either way."""
    signup.request_password_reset(
        organization=organization(slug),
        email=payload.email,
        link_for=lambda uid, token: portal_link("portal:password_reset_confirm", slug=slug, uidb64=uid, token=token),
    )
    return Status(202, {"message": RESET_EMAIL_MESSAGE})


RESET_EMAIL_MESSAGE = "If this address has an account, an email with a link to choose a new password is on its way."

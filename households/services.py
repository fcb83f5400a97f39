import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.models import Channel
from audit.services import record
from core.db.errors import violates_unique
from core.errors import DomainError
from households.errors import HouseholdNotFound
from households.models import Household, HouseholdNote, Participant
from notifications.links import portal_link
from notifications.services import enqueue
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission


class InvalidParticipant(DomainError):
    code = "invalid_participant"
    kind = "invalid"


class ParticipantLimitReached(DomainError):
    """X6: more people added online in a day than the organization allows (429, Retry-After)."""

    code = "participant_daily_limit"
    kind = "throttled"


PARTICIPANT_WINDOW = timedelta(days=1)


class ParticipantExists(DomainError):
    code = "participant_exists"
    kind = "conflict"


def _check_person(household: Household, first_name: str, last_name: str, date_of_birth: date) -> None:
    today = timezone.localdate(timezone.now(), household.organization.zone)
    if date_of_birth > today:
        raise InvalidParticipant("Date of birth cannot be in the future.", field="date_of_birth")
    if today.year - date_of_birth.year > 120:
        raise InvalidParticipant("Date of birth is more than 120 years ago.", field="date_of_birth")
    if not first_name.strip() or not last_name.strip():
        raise InvalidParticipant(
            "First and last name are required.", field="first_name" if not first_name.strip() else "last_name"
        )
    if len(first_name.strip()) > 100 or len(last_name.strip()) > 100:
        raise InvalidParticipant("Enter names of at most 100 characters.", field="first_name")


def _already_there(first_name: str, last_name: str, date_of_birth: date) -> ParticipantExists:
    born = format_date(date_of_birth, "j F Y")  # as the participants page writes it
    return ParticipantExists(
        f"{first_name.strip()} {last_name.strip()}, born {born}, is already in this household.", field="first_name"
    )


def _refuse_same_person(
    household: Household, first_name: str, last_name: str, date_of_birth: date, *, other_than: int = 0
) -> None:
    """The same names whatever their case, with the same birth date: refused here too, because
    SQLite's LOWER() behind the constraint folds only ASCII ('Ñúñez' and 'ñúñez' passed it)."""
    names = (first_name.strip().casefold(), last_name.strip().casefold())
    for first, last in (
        Participant.objects.filter(household_id=household.pk, date_of_birth=date_of_birth)
        .exclude(pk=other_than)
        .values_list("first_name", "last_name")
    ):
        if (first.casefold(), last.casefold()) == names:
            raise _already_there(first, last, date_of_birth)  # named as the household wrote it


class InvalidHousehold(DomainError):
    code = "invalid_household"
    kind = "invalid"


class HouseholdExists(DomainError):
    code = "household_exists"
    kind = "conflict"


@dataclass(frozen=True)
class NewParticipant:
    first_name: str
    last_name: str
    date_of_birth: date


@transaction.atomic
def add_participant(
    *, household: Household, first_name: str, last_name: str, date_of_birth: date, channel: str, actor_id: int | None
) -> Participant:
    """Add a person to the household. Birth dates in the future or more than 120 years ago are
    refused, and so is a person already in it (same names, whatever the case, and birth date):
    a second submit of the same form adds nobody (X5)."""
    _check_person(household, first_name, last_name, date_of_birth)
    _refuse_same_person(household, first_name, last_name, date_of_birth)
    if channel != Channel.OFFICE:
        _check_daily_limit(household, now=timezone.now())
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                household=household,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                date_of_birth=date_of_birth,
            )
    except IntegrityError as exc:
        if not violates_unique(exc, "participant_once_per_household"):
            raise
        raise _already_there(first_name, last_name, date_of_birth) from exc
    record(
        organization_id=household.organization_id,
        verb="household.participant_added",
        channel=channel,
        actor_id=actor_id,
        subject_type="participant",
        subject_id=participant.pk,
        household_id=household.pk,
        now=timezone.now(),
    )
    return participant


class ParticipantNotFound(DomainError):
    code = "participant_not_found"
    kind = "not_found"
    default_message = "No such participant in your household."


@transaction.atomic(durable=True)
def change_participant(
    *,
    household: Household,
    participant_id: int,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    channel: str,
    actor_id: int | None,
) -> Participant:
    """Correct a participant's names or birth date (the age rules read it at the next add, E1).
    Only the household's own participants (X1: another's is not found); the same person twice
    is refused as at the add."""
    participant = Participant.objects.select_for_update().filter(household_id=household.pk, pk=participant_id).first()
    if participant is None:
        raise ParticipantNotFound
    _check_person(household, first_name, last_name, date_of_birth)
    _refuse_same_person(household, first_name, last_name, date_of_birth, other_than=participant.pk)
    before = {
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "date_of_birth": participant.date_of_birth.isoformat(),
    }
    participant.first_name, participant.last_name = first_name.strip(), last_name.strip()
    participant.date_of_birth = date_of_birth
    try:
        with transaction.atomic():
            participant.save(update_fields=["first_name", "last_name", "date_of_birth"])
    except IntegrityError as exc:
        if not violates_unique(exc, "participant_once_per_household"):
            raise
        raise _already_there(first_name, last_name, date_of_birth) from exc
    record(
        organization_id=household.organization_id,
        verb="household.participant_changed",
        channel=channel,
        actor_id=actor_id,
        subject_type="participant",
        subject_id=participant.pk,
        household_id=household.pk,
        data={"before": before},
        now=timezone.now(),
    )
    return participant


def _check_daily_limit(household: Household, *, now: datetime) -> None:
    """X6: at most the organization's `max_participants_added_per_day` people added in any 24
    hours, online; the office may add more. The household's row lock serialises two adds of
    one household, so both cannot slip under the limit."""
    Household.objects.select_for_update().filter(pk=household.pk).first()
    recent = list(
        Participant.objects.filter(household_id=household.pk, created_at__gt=now - PARTICIPANT_WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    limit = household.organization.max_participants_added_per_day
    if len(recent) >= limit:
        wait = max(60, math.ceil((recent[0] + PARTICIPANT_WINDOW - now).total_seconds()))
        raise ParticipantLimitReached(
            f"A household may add at most {limit} people a day online. Try again later, or ask the office to add them.",
            retry_after=wait,
            limit=limit,
        )


MAX_NAME, MAX_EMAIL, MAX_PHONE = 200, 150, 40  # the household's columns; a login's username is at most 150


def clean_contact(name: str, email: str | None, phone: str, *, error: type[DomainError]) -> tuple[str, str, str]:
    """The household's name, payer email (lower case) and phone as stored, or `error` naming the
    field: the same rules whether a family signs up or the desk creates the household. No email
    (None) when it comes from the signed-in login, which is not checked again."""
    name, phone = name.strip(), phone.strip()
    if not name:
        raise error("Enter the name of the household or its payer.", field="name")
    if len(name) > MAX_NAME:
        raise error(f"Enter a name of at most {MAX_NAME} characters.", field="name")
    if len(phone) > MAX_PHONE:
        raise error(f"Enter a phone number of at most {MAX_PHONE} characters.", field="phone")
    if email is None:
        return name, "", phone
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise error("Enter an email address like name@example.com.", field="email") from None
    if len(email) > MAX_EMAIL:
        raise error(f"Enter an email address of at most {MAX_EMAIL} characters.", field="email")
    return name, email, phone


def new_household(
    *,
    organization_id: int,
    payer: User | None,
    name: str,
    email: str,
    phone: str,
    verb: str,
    channel: str,
    actor_id: int | None,
    now: datetime,
    data: dict[str, object] | None = None,
) -> Household:
    """Write the household (details already cleaned by `clean_contact`) and its audit event."""
    household = Household.objects.create(
        organization_id=organization_id, payer=payer, name=name, email=email, phone=phone
    )
    record(
        organization_id=organization_id,
        verb=verb,
        channel=channel,
        actor_id=actor_id,
        subject_type="household",
        subject_id=household.pk,
        household_id=household.pk,
        now=now,
        data=data,
    )
    return household


@transaction.atomic(durable=True)
def create_household(
    *,
    membership: StaffMembership,
    name: str,
    email: str,
    phone: str = "",
    participants: list[NewParticipant],
    invite: bool,
    channel: str,
) -> Household:
    """S8: staff create a household at the desk: the payer's name, email and phone, and its
    participants, all or none. An email already used by a household of this organization is
    refused, naming it (the caller probably has one). With `invite`, the payer gets a portal
    login (their email, no password yet) and an email with a link to set the password; a login
    that already exists for that email is linked instead, and told to sign in as usual.
    Audited with who created it."""
    require_permission(membership, Permission.ENROLL)
    name, email, phone = clean_contact(name, email, phone, error=InvalidHousehold)
    existing = Household.objects.filter(organization_id=membership.organization_id, email__iexact=email).first()
    if existing is not None:
        raise HouseholdExists(
            f"{email} is already the email of {existing.name}: open that household instead.",
            field="email",
            household_id=existing.pk,
        )
    now = timezone.now()
    payer, is_new_login = _payer_login(email, name, membership.organization_id) if invite else (None, False)
    household = new_household(
        organization_id=membership.organization_id,
        payer=payer,
        name=name,
        email=email,
        phone=phone,
        verb="household.created",
        channel=channel,
        actor_id=membership.user_id,
        now=now,
        data={"invited": invite, "participants": len(participants)},
    )
    household = Household.objects.select_related("organization").get(pk=household.pk)
    for position, person in enumerate(participants, start=1):
        try:
            add_participant(
                household=household,
                first_name=person.first_name,
                last_name=person.last_name,
                date_of_birth=person.date_of_birth,
                channel=channel,
                actor_id=membership.user_id,
            )
        except InvalidParticipant as refused:  # say whose: the household has several people
            named = f"{person.first_name} {person.last_name}".strip()
            raise InvalidParticipant(
                f"{named}: {refused.message[:1].lower()}{refused.message[1:]}", **refused.details, participant=position
            ) from refused
    if payer is not None:
        _invite(household, payer, is_new_login=is_new_login, now=now)
    return household


def _payer_login(email: str, name: str, organization_id: int) -> tuple[User, bool]:
    """The portal login for this email: an existing one (unless it already pays for a household
    here), or a new one without a usable password until the payer sets it."""
    user = (
        User.objects.filter(email__iexact=email).order_by("pk").first()
        or User.objects.filter(username__iexact=email).order_by("pk").first()
    )
    if user is not None:
        if Household.objects.filter(organization_id=organization_id, payer_id=user.pk).exists():
            raise HouseholdExists(
                "That email's login already pays for a household here: open it instead.", field="email"
            )
        return user, False
    first, _, last = name.partition(" ")
    user = User(username=email[:150], email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    return user, True


def _invite(household: Household, payer: User, *, is_new_login: bool, now: datetime) -> None:
    organization = household.organization
    link = ""
    if is_new_login:  # the portal's page that sets a password from Django's one-time token (issue 12)
        uid, token = urlsafe_base64_encode(force_bytes(payer.pk)), default_token_generator.make_token(payer)
        link = portal_link("portal:password_reset_confirm", slug=organization.slug, uidb64=uid, token=token)
    enqueue(
        organization_id=organization.pk,
        key=f"household_invite:{household.pk}:{payer.pk}",
        kind="household_invite",
        to_email=household.email,
        context={
            "organization_name": organization.name,
            "household_name": household.name,
            "username": payer.get_username(),
            "set_password_link": link,
            "is_new_login": is_new_login,
            "login_link": f"{settings.SITE_URL}{reverse('login')}",
        },
        now=now,
    )


@transaction.atomic(durable=True)
def add_household_note(*, membership: StaffMembership, household: Household, text: str, channel: str) -> HouseholdNote:
    """S8: staff write a note on a household (never edited or deleted); audited."""
    require_permission(membership, Permission.ENROLL)
    if household.organization_id != membership.organization_id:
        raise HouseholdNotFound
    text = text.strip()
    if not text:
        raise InvalidHousehold("Write the note first.", field="text")
    if len(text) > 2000:
        raise InvalidHousehold("A note is at most 2000 characters.", field="text")
    now = timezone.now()
    note = HouseholdNote.objects.create(household=household, author_id=membership.user_id, text=text, created_at=now)
    record(
        organization_id=household.organization_id,
        verb="household.note_added",
        channel=channel,
        actor_id=membership.user_id,
        subject_type="household_note",
        subject_id=note.pk,
        household_id=household.pk,
        now=now,
    )
    return note

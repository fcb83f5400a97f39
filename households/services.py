import math
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import record
from core.errors import DomainError
from households.models import Household, Participant


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


@transaction.atomic
def add_participant(
    *, household: Household, first_name: str, last_name: str, date_of_birth: date, channel: str, actor_id: int | None
) -> Participant:
    """Add a person to the household. Birth dates in the future or more than 120 years ago are
    refused, and so is a person already in it (same names, whatever the case, and birth date):
    a second submit of the same form adds nobody (X5)."""
    _check_person(household, first_name, last_name, date_of_birth)
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
        if "participant_once_per_household" not in str(exc):  # both databases name the index
            raise
        raise ParticipantExists(
            f"{first_name.strip()} {last_name.strip()}, born {date_of_birth.isoformat()}, is already in this household.",
            field="first_name",
        ) from exc
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
        if "participant_once_per_household" not in str(exc):
            raise
        raise ParticipantExists(
            f"{participant.full_name}, born {date_of_birth.isoformat()}, is already in this household.",
            field="first_name",
        ) from exc
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

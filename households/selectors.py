"""Reading households for the office (S8): find a payer by any word a caller gives, and one
household with everything its page shows that lives in this app."""

import re
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace

from households.errors import HouseholdNotFound
from households.models import Household, HouseholdNote, Participant

SEARCH_LIMIT = 25
# Characters people put in phone numbers, ignored when a search word is mostly digits.
_PHONE_PUNCTUATION = ("-", " ", "(", ")", ".", "+")


def _digits_only(field: str) -> Replace:
    expression: Replace | str = field
    for character in _PHONE_PUNCTUATION:
        expression = Replace(expression, Value(character), Value(""))
    assert isinstance(expression, Replace)
    return expression


def _word_matches(word: str) -> Q:
    """One word of the search: in the payer's name, email or phone, or a participant's name."""
    participants = Participant.objects.filter(household_id=OuterRef("pk")).filter(
        Q(first_name__icontains=word) | Q(last_name__icontains=word)
    )
    matches = Q(name__icontains=word) | Q(email__icontains=word) | Q(Exists(participants))
    digits = re.sub(r"\D", "", word)
    if len(digits) >= 3 and len(digits) >= len(word) - 4:  # a phone number, however written
        matches |= Q(phone_digits__contains=digits)
    else:
        matches |= Q(phone__icontains=word)
    return matches


def search_households(*, organization_id: int, query: str, limit: int = SEARCH_LIMIT) -> list[Household]:
    """S8: households of one organization where every word of `query` is found in the payer's
    name, email or phone (punctuation ignored), or in a participant's first or last name;
    "maya parker" finds the Parkers through their daughter. Participants are loaded (two
    queries in all). An empty query finds nobody."""
    words = query.split()[:6]
    if not words:
        return []
    households: QuerySet[Household] = Household.objects.filter(organization_id=organization_id).annotate(
        phone_digits=_digits_only("phone")
    )
    for word in words:
        households = households.filter(_word_matches(word[:100]))
    return list(
        households.prefetch_related(Prefetch("participants", queryset=Participant.objects.order_by("pk"))).order_by(
            "name", "pk"
        )[:limit]
    )


def staff_household(*, organization_id: int, household_id: int) -> Household | None:
    """One household of this organization (None for another's: X1), its organization loaded."""
    return (
        Household.objects.select_related("organization", "payer")
        .filter(organization_id=organization_id, pk=household_id)
        .first()
    )


def household_notes(*, household: Household, limit: int = 50) -> list[HouseholdNote]:
    return list(
        HouseholdNote.objects.filter(household_id=household.pk)
        .select_related("author")
        .order_by("-created_at", "-pk")[:limit]
    )


def get_household_for_org(*, organization_id: int, household_id: int) -> Household:
    """The household with this id in this organization; one of another organization, or none,
    is the same `HouseholdNotFound` (404): nobody learns that an id exists elsewhere."""
    household = (
        Household.objects.select_related("organization")
        .filter(organization_id=organization_id, pk=household_id)
        .first()
    )
    if household is None:
        raise HouseholdNotFound
    return household


def participants_by_id(*, organization_id: int, participant_ids: Iterable[int]) -> dict[int, Participant]:
    """This organization's participants with these ids, their households loaded, in one query
    (another organization's are simply absent: X1)."""
    return {
        p.pk: p
        for p in Participant.objects.filter(
            household__organization_id=organization_id, pk__in=set(participant_ids)
        ).select_related("household")
    }


def participants_by_name(*, household_id: int) -> list[Participant]:
    """A household's participants as people read a list of names: by first name, then last name,
    whatever their case ("Baby", "mia", "Mia", "XXX"), and the order they were added last."""
    return list(
        Participant.objects.filter(household_id=household_id).order_by(Lower("first_name"), Lower("last_name"), "pk")
    )

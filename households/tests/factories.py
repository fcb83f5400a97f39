import itertools
from datetime import date

from households.models import Household, Participant
from organizations.models import Organization
from organizations.tests.factories import make_user

_seq = itertools.count(1)


def make_household(organization: Organization, *, with_login: bool = True, children: int = 1) -> Household:
    n = next(_seq)
    household = Household.objects.create(
        organization=organization,
        payer=make_user(f"family{n}") if with_login else None,
        name=f"Family {n}",
        email=f"family{n}@example.test",
    )
    for i in range(children):
        make_participant(household, first_name=f"Kid{i + 1}")
    # Callers read household.organization; load it once so services reuse it.
    return Household.objects.select_related("organization").get(pk=household.pk)


def make_participant(household: Household, *, first_name: str = "Sam", born: date = date(2016, 5, 1)) -> Participant:
    return Participant.objects.create(
        household=household, first_name=first_name, last_name=household.name, date_of_birth=born
    )

"""Issue 15 item 5: every refusal has words a family reads. The fair-share limits (X6) are worded
by the portal with their numbers and marked for translation; every refusal code is classified
(portal.refusals), so that a new code without words fails here."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

import registrar.urls  # noqa: F401  (every app's errors are defined once its views are imported)
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from core.errors import DomainError
from households.tests.factories import make_household
from organizations.tests.factories import make_organization
from portal.refusals import ADD_WORDS, OFFICE_ONLY, SERVICE_WORDS, WORDS

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
LISTS = {"WORDS": set(WORDS), "ADD_WORDS": ADD_WORDS, "SERVICE_WORDS": SERVICE_WORDS, "OFFICE_ONLY": OFFICE_ONLY}


def test_x6_every_refusal_code_is_worded_for_families_or_never_reaches_them():
    codes = set(DomainError.registry) - {"error"}
    unclassified = sorted(code for code in codes if not any(code in listed for listed in LISTS.values()))
    assert unclassified == [], "word these in portal/refusals.py, or list them as SERVICE_WORDS or OFFICE_ONLY"
    twice = sorted(code for code in codes if sum(code in listed for listed in LISTS.values()) > 1)
    assert twice == []
    stale = sorted(code for listed in LISTS.values() for code in listed if code not in codes)
    assert stale == []


@pytest.mark.parametrize(
    "code",
    [
        "household_unpaid_limit",
        "household_offering_limit",
        "too_many_adds",
        "participant_daily_limit",
        "checkout_needs_approval",
    ],
)
def test_x6_the_fair_share_refusals_have_the_portal_s_own_words(code):
    assert code in WORDS


@pytest.fixture
def family(db):
    with time_machine.travel(T0 - timedelta(days=2), tick=False):  # its people were added before the day
        org = make_organization(max_participants_added_per_day=1, max_unpaid_seats_per_checkout=1)
        household = make_household(org, children=2)
        client = Client()
        client.force_login(household.payer)
        yield org, household, client


def test_x6_the_participant_limit_is_told_in_plain_words(family):
    org, _household, client = family
    with time_machine.travel(T0, tick=False):
        person = {"first_name": "Ada", "last_name": "Lee", "date_of_birth": "2015-01-01"}
        assert client.post(f"/o/{org.slug}/account/participants/", person).status_code == 302
        refused = client.post(f"/o/{org.slug}/account/participants/", person | {"first_name": "Bo"})
    assert "A household may add at most 1 people a day online" in refused.content.decode()


def test_x6_a_checkout_over_the_size_limit_is_told_in_plain_words(family):
    org, household, client = family
    with time_machine.travel(T0, tick=False):
        for child in household.participants.all()[:2]:
            add_to_cart(
                household=household,
                offering_id=make_offering(org, price="10.00").pk,
                participant_id=child.pk,
                channel="portal",
            )
        refused = client.post(f"/o/{org.slug}/checkout/", {}, follow=True)
    assert "This order has 2 places to pay; an order of more than 1 needs the office" in refused.content.decode()

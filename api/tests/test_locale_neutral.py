"""The API's JSON is locale-neutral (decision 0025): an organization's "Language and formats"
changes its pages and emails, never the API's numbers and ISO dates, which apps parse."""

from datetime import UTC, datetime

import time_machine

from api.tests.conftest import ApiClient
from attendance.tests.factories import make_meetings, register
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.models import Organization
from organizations.tests.factories import make_organization

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_the_apis_json_is_the_same_whatever_the_organizations_locale(db):
    organization = make_organization(locale="en-us")
    household = make_household(organization, children=2)
    first, second = household.participants.order_by("pk")
    swim = make_offering(organization, name="Swim", price="1234.50")
    make_meetings(swim, first=datetime(2026, 3, 9, 23, 15, tzinfo=UTC), count=1)
    api = ApiClient(household.payer)
    slug = organization.slug
    paths = [
        f"/orgs/{slug}/offerings",
        f"/orgs/{slug}/offerings/{swim.pk}",
        f"/orgs/{slug}/cart",
        f"/orgs/{slug}/orders",
    ]
    with time_machine.travel(NOW, tick=False):
        register(household, swim, first)
        add_to_cart(household=household, offering_id=swim.pk, participant_id=second.pk, channel="api")
        in_english = {path: api.get(path).json() for path in paths}
        Organization.objects.filter(pk=organization.pk).update(locale="fr-ca")
        in_french = {path: api.get(path).json() for path in paths}

    assert in_french == in_english
    offering = in_french[f"/orgs/{slug}/offerings/{swim.pk}"]
    assert offering["price"] == "1234.50"
    assert offering["meetings"][0]["starts_at"] == "2026-03-09T23:15:00Z"
    [order] = in_french[f"/orgs/{slug}/orders"]
    assert order["total"] == "1234.50"

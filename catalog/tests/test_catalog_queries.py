from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from capacity.models import Claim
from carts.services import add_to_cart
from catalog.models import Offering
from households.tests.factories import make_household


def test_c5_catalog_of_1000_offerings_in_constant_queries(org):
    Offering.objects.bulk_create(
        Offering(organization=org, kind="class", name=f"Class {i}", capacity=20, price=10) for i in range(1000)
    )
    some = list(Offering.objects.filter(organization=org).order_by("pk")[:3])
    for offering in some:
        household = make_household(org)
        add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.first().pk,
            channel="api",
        )
    client = Client()
    with CaptureQueriesContext(connection) as small:
        page = client.get(f"/api/v1/orgs/{org.slug}/offerings?limit=10").json()
    with CaptureQueriesContext(connection) as large:
        full = client.get(f"/api/v1/orgs/{org.slug}/offerings?limit=1000").json()
    assert len(full["results"]) == 1000
    assert len(page["results"]) == 10
    assert len(large.captured_queries) == len(small.captured_queries) <= 4
    held = {o["id"]: o["availability"]["held"] for o in full["results"]}
    assert [held[o.pk] for o in some] == [1, 1, 1]
    assert sum(held.values()) == Claim.objects.count() == 3

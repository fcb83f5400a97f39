"""The roster and the money page cost a fixed number of queries, however many rows they show."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bulk.tests.helpers import enroll
from catalog.models import Meeting
from catalog.tests.factories import make_offering


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a4_the_roster_costs_the_same_queries_for_3_or_12_participants(world, client_for):
    offering = make_offering(world.organization, capacity=None, name="Big class")
    start = timezone.now() + timedelta(days=1)
    meeting = Meeting.objects.create(offering=offering, starts_at=start, ends_at=start + timedelta(hours=1))
    url = reverse("office:roster", args=[world.organization.slug, meeting.pk])
    client = client_for("frontdesk")
    for _ in range(3):
        enroll(world.organization, offering)
    few = queries(client, url)
    for _ in range(9):
        enroll(world.organization, offering)
    assert queries(client, url) == few


def test_p5_the_money_page_costs_the_same_queries_for_1_or_5_orders(world, client_for):
    url = reverse("office:household_money", args=[world.organization.slug, world.household.pk])
    client = client_for("frontdesk")
    few = queries(client, url)
    for _ in range(4):
        enroll(world.organization, make_offering(world.organization, price="12.00"), household=world.household)
    assert queries(client, url) == few

"""The facility calendar (issue 13, item 4; S5): a day's slots free, held or booked, and a range
booked for a household from it."""

import datetime as dt
import zoneinfo

from django.urls import reverse
from django.utils import timezone

from capacity.models import Claim
from carts.services import add_rental_to_cart
from catalog.tests.factories import make_facility_with_slots
from households.tests.factories import make_household


def test_s5_the_calendar_shows_held_time_and_books_a_range_for_a_household(world, client_for):
    zone = zoneinfo.ZoneInfo(world.organization.time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=3)
    facility, slots = make_facility_with_slots(
        world.organization, first_slot=dt.datetime.combine(day, dt.time(17, 0), zone), slots=4
    )
    stranger = make_household(world.organization)
    add_rental_to_cart(
        household=stranger,
        facility_id=facility.pk,
        starts_at=slots[0].starts_at,
        ends_at=slots[0].ends_at,
        channel="portal",
    )
    url = reverse("office:calendar", args=[world.organization.slug])
    page = client_for("frontdesk").get(f"{url}?facility={facility.pk}&day={day.isoformat()}").content.decode()
    assert "Held in a cart" in page
    assert stranger.name in page
    assert page.count("Free") >= 3
    answer = client_for("frontdesk").post(
        url,
        {
            "facility": facility.pk,
            "day": day.isoformat(),
            "household": world.household.pk,
            "from": "18:00",
            "until": "20:00",
        },
    )
    assert answer.status_code == 302
    assert Claim.objects.filter(household=world.household, offering__in=slots[1:3], state="held").count() == 2
    refused = client_for("frontdesk").post(
        url,
        {
            "facility": facility.pk,
            "day": day.isoformat(),
            "household": world.household.pk,
            "from": "17:00",
            "until": "18:00",
        },
    )
    assert refused.status_code == 409
    week = client_for("frontdesk").get(f"{url}?facility={facility.pk}&day={day.isoformat()}&view=week").content.decode()
    assert week.count("<h2>") >= 7

"""The facility calendar (issue 13, item 4; S5): a day's slots free, held or booked, and a range
booked for a household from it."""

import datetime as dt
import zoneinfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from capacity.models import Claim
from carts.services import add_rental_to_cart
from catalog.tests.factories import make_facility_with_slots
from households.tests.factories import make_household


def _facility_with_a_strangers_hold(world, *, slots):
    """A facility with `slots` evening slots three days from now, the first held in another
    household's cart: (the day, the facility, its slots, that household)."""
    zone = zoneinfo.ZoneInfo(world.organization.time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=3)
    facility, made = make_facility_with_slots(
        world.organization, first_slot=dt.datetime.combine(day, dt.time(17, 0), zone), slots=slots
    )
    stranger = make_household(world.organization)
    add_rental_to_cart(
        household=stranger,
        facility_id=facility.pk,
        starts_at=made[0].starts_at,
        ends_at=made[0].ends_at,
        channel="portal",
    )
    return day, facility, made, stranger


def test_s5_the_calendar_shows_held_time_and_books_a_range_for_a_household(world, client_for):
    day, facility, slots, stranger = _facility_with_a_strangers_hold(world, slots=4)
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
    week = client_for("frontdesk").get(f"{url}?facility={facility.pk}&day={day.isoformat()}&view=week")
    assert len(week.context["grid"].days) == 7
    assert week.content.decode().count('<th scope="col"><a class="usa-link"') == 7  # a column per day


def test_s5_the_calendar_is_a_half_hour_grid_within_the_bookable_hours(world, client_for):
    from catalog.models import BookableHours

    zone = zoneinfo.ZoneInfo(world.organization.time_zone)
    monday = timezone.now().astimezone(zone).date() + dt.timedelta(days=7 - timezone.now().astimezone(zone).weekday())
    facility, slots = make_facility_with_slots(
        world.organization, first_slot=dt.datetime.combine(monday, dt.time(9, 0), zone), slots=2
    )
    BookableHours.objects.create(facility=facility, weekday=0, opens_at=dt.time(9), closes_at=dt.time(11))
    BookableHours.objects.create(facility=facility, weekday=0, opens_at=dt.time(14), closes_at=dt.time(15))
    add_rental_to_cart(
        household=world.household,
        facility_id=facility.pk,
        starts_at=slots[1].starts_at,
        ends_at=slots[1].ends_at,
        channel="office",
    )
    url = reverse("office:calendar", args=[world.organization.slug])
    page = client_for("frontdesk").get(f"{url}?facility={facility.pk}&day={monday.isoformat()}")
    rows = page.context["rows"]
    assert [f"{at:%H:%M}" for at, _cells in rows] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "12:00",
        "12:30",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
    ]
    states = [str(cells[0][1]) for _at, cells in rows]
    assert states[:4] == ["Free", "Free", "Held in a cart", "Held in a cart"]
    assert set(states[4:10]) == {"Closed"}  # the midday gap between the two openings
    assert states[10:] == ["No slot", "No slot"]  # open, but no slot was made
    assert page.context["times"][0] == "09:00"
    assert page.context["times"][-1] == "15:00"
    week = client_for("frontdesk").get(f"{url}?facility={facility.pk}&day={monday.isoformat()}&view=week")
    assert [len(cells) for _at, cells in week.context["rows"]] == [7] * 12


def test_s8_the_calendar_books_for_a_household_found_by_name_and_needs_one(world, client_for):
    zone = zoneinfo.ZoneInfo(world.organization.time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=2)
    facility, slots = make_facility_with_slots(
        world.organization, first_slot=dt.datetime.combine(day, dt.time(10, 0), zone), slots=2
    )
    url = reverse("office:calendar", args=[world.organization.slug])
    desk = client_for("frontdesk")
    found = desk.get(url, {"facility": facility.pk, "day": day.isoformat(), "q": world.household.name})
    assert [h.pk for h in found.context["found"]] == [world.household.pk]
    assert f'value="{world.household.pk}" checked' in found.content.decode()  # the one match is picked
    choices = desk.get(
        url,
        {"facility": facility.pk, "day": day.isoformat(), "q": world.household.name},
        headers={"HX-Request": "true"},
    )
    assert choices.content.decode().lstrip().startswith("<fieldset")  # htmx swaps only the choices
    nobody = desk.post(url, {"facility": facility.pk, "day": day.isoformat(), "from": "10:00", "until": "11:00"})
    assert nobody.status_code == 400
    assert "Choose the household" in nobody.content.decode()
    booked = desk.post(
        url,
        {
            "facility": facility.pk,
            "day": day.isoformat(),
            "household": world.household.pk,
            "from": "10:00",
            "until": "12:00",
        },
    )
    assert booked.status_code == 302
    assert Claim.objects.filter(household=world.household, offering__in=slots, state="held").count() == 2


def test_s5_s6_the_staff_api_reads_the_calendar_the_page_shows(world, client_for):
    day, facility, _, stranger = _facility_with_a_strangers_hold(world, slots=2)
    path = f"/api/v1/orgs/{world.organization.slug}/staff/facilities/{facility.pk}/calendar"
    answer = client_for("frontdesk").get(path, {"day": day.isoformat()})
    assert answer.status_code == 200
    (only,) = answer.json()
    assert [(s["state"], s["household_name"]) for s in only["slots"]] == [("held", stranger.name), ("free", "")]
    assert client_for("customer").get(path, {"day": day.isoformat()}).status_code in (403, 404)


def test_x5_a_day_at_the_end_of_the_calendar_shows_today_instead_of_a_server_error(world, client_for):
    """?day=9999-12-31 (or 0001-01-01) overflowed when the page worked out the next and previous
    days: a 500 for a bookmarked or mistyped address. A day outside 1900-2999 reads as today."""
    url = reverse("office:calendar", args=[world.organization.slug])
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(world.organization.time_zone)).date()
    for day in ("9999-12-31", "0001-01-01", "3000-01-01"):
        for view in ("day", "week"):
            answer = client_for("frontdesk").get(url, {"day": day, "view": view})
            assert answer.status_code == 200, (day, view)
            assert answer.context["day"] == today
    refused = client_for("frontdesk").post(
        url, {"day": "9999-12-31", "household": world.household.pk, "from": "18:00", "until": "20:00"}
    )
    assert refused.status_code in (400, 404, 409)


def test_s5_a_free_slot_whose_time_has_begun_reads_started_and_its_time_is_not_offered(world, client_for):
    """A slot whose time has begun is refused as rental_started (97cecfe): the grid said 'Free'
    and the form offered its start, as the portal's page did before 51042f5."""
    zone = zoneinfo.ZoneInfo(world.organization.time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=3)
    facility, slots = make_facility_with_slots(
        world.organization, first_slot=dt.datetime.combine(day, dt.time(17, 0), zone), slots=4
    )
    url = reverse("office:calendar", args=[world.organization.slug])
    desk = client_for("frontdesk")
    with time_machine.travel(dt.datetime.combine(day, dt.time(17, 50), zone), tick=False):
        add_rental_to_cart(  # 18:00-19:00, held before it began: still 'Held in a cart' once begun
            household=world.household,
            facility_id=facility.pk,
            starts_at=slots[1].starts_at,
            ends_at=slots[1].ends_at,
            channel="office",
        )
    with time_machine.travel(dt.datetime.combine(day, dt.time(18, 10), zone), tick=False):
        page = desk.get(url, {"facility": facility.pk, "day": day.isoformat()})
        states = [str(cells[0][1]) for _at, cells in page.context["rows"]]
        assert states == ["Started", "Started", "Held in a cart", "Held in a cart"] + ["Free"] * 4
        assert page.context["starts"] == ["19:00", "19:30", "20:00", "20:30"]  # none begun, none inside 18:00-19:00
        assert page.context["ends"] == ["19:30", "20:00", "20:30", "21:00"]
        shown = page.content.decode()
        assert 'value="17:00"' not in shown
        assert 'value="18:30"' not in shown
        assert 'value="19:00"' in shown
        api = desk.get(
            f"/api/v1/orgs/{world.organization.slug}/staff/facilities/{facility.pk}/calendar", {"day": day.isoformat()}
        )
        assert [s["state"] for s in api.json()[0]["slots"]] == ["started", "held", "free", "free"]
    with time_machine.travel(dt.datetime.combine(day, dt.time(21, 0), zone), tick=False):
        over = desk.get(url, {"facility": facility.pk, "day": day.isoformat()}).content.decode()
        assert over.count(">Started<") == 8  # the hold ran out at 18:50 (the office's hour)
        assert "Every time of this day has started" in over
        assert 'id="book-from"' not in over
        assert "Hold this time" not in over

"""The facility calendar in Debian's Chromium (issue 13, item 4): the half-hour grid, day and week,
passes axe (the day also at phone size without sideways scrolling), and staff book a time range
for a household found by name with the keyboard alone."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from capacity.models import Claim
from catalog.tests.factories import make_facility_with_slots
from rentals.services import request_rental
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, press_on, tab_to

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def calendar_world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from households.tests.factories import make_household
    from office.tests.world import make_world

    world = make_world()
    zone = zoneinfo.ZoneInfo(world.organization.time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=2)
    facility, slots = make_facility_with_slots(
        world.organization, first_slot=dt.datetime.combine(day, dt.time(17), zone)
    )
    facility.requires_approval = True
    facility.save()
    request_rental(
        household=make_household(world.organization),
        facility_id=facility.pk,
        starts_at=slots[0].starts_at,
        ends_at=slots[0].ends_at,
        channel="portal",
    )
    return world, facility, slots, day


def test_the_calendar_grid_is_accessible_by_day_and_week(page, phone_page, calendar_world, login):
    world, facility, _slots, day = calendar_world
    base = f"/office/{world.organization.slug}/calendar/?facility={facility.pk}&day={day.isoformat()}"
    for tab in (page, phone_page):
        login(tab, world.users["frontdesk"].username)
        tab.goto(base, timeout=60_000)
        expect()(tab.get_by_role("heading", level=1)).to_have_text("Facility calendar")
        expect()(tab.get_by_role("row", name="17:00").get_by_text("Requested, awaiting approval")).to_be_visible()
        assert_accessible(tab)
        assert_no_sideways_scroll(tab)
    page.goto(base + "&view=week")
    expect()(page.get_by_role("columnheader")).to_have_count(8)
    assert_accessible(page)


def test_s5_book_a_range_for_a_household_found_by_name_with_the_keyboard_alone(page, calendar_world, login):
    world, facility, slots, day = calendar_world
    login(page, world.users["frontdesk"].username)
    page.goto(
        f"/office/{world.organization.slug}/calendar/?facility={facility.pk}&day={day.isoformat()}", timeout=60_000
    )
    tab_to(page, "Find the household", role="searchbox")
    page.keyboard.type(world.household.name)
    page.keyboard.press("Enter")
    choice = page.get_by_role("radio", name=world.household.name)
    expect()(choice).to_be_checked()
    tab_to(page, "From", role="combobox")
    page.keyboard.press("ArrowDown")  # 17:00, then 17:30
    page.keyboard.press("ArrowDown")  # 18:00
    expect()(page.get_by_role("combobox", name="From")).to_have_value("18:00")
    tab_to(page, "Until", role="combobox")
    for _ in range(3):  # 17:30, 18:00, 18:30, 19:00
        page.keyboard.press("ArrowDown")
    expect()(page.get_by_role("combobox", name="Until")).to_have_value("19:00")
    press_on(page, "Hold this time in the household's cart", role="button")
    expect()(page.get_by_text(f"The time is held in {world.household.name}'s cart")).to_be_visible()
    expect()(page.get_by_role("row", name="18:00").get_by_text("Held in a cart")).to_be_visible()
    assert Claim.objects.filter(household=world.household, offering=slots[1], state="held").exists()

"""Facility rentals in Debian's Chromium (S5, S6): the rental page and the account home with a
request are accessible (axe) at desktop and phone size (390x844) without sideways scrolling, and
a family books a free slot into the cart, and sends a request, with the keyboard alone."""

import datetime as dt

import pytest
from django.utils import timezone

from carts.services import add_rental_to_cart
from catalog.tests.factories import make_split_day_facility
from households.tests.factories import make_household
from organizations.tests.factories import make_organization
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, press_on, screenshot, tab_to

pytestmark = pytest.mark.browser


@pytest.fixture
def hall(transactional_db):
    """Next Monday: Gym B (open 07-12 and 14-21, hourly slots, 09:00 held by a neighbour) and a
    Community Hall that needs the office's approval."""
    org = make_organization(slug="riverside", name="Riverside Parks & Recreation")
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    made = {
        name: make_split_day_facility(org, monday, name=name, requires_approval=approval, price="30")
        for name, approval in (("Gym B", False), ("Community Hall", True))
    }
    neighbour = make_household(org)
    nine = dt.datetime.combine(monday, dt.time(9), org.zone)
    add_rental_to_cart(
        household=neighbour,
        facility_id=made["Gym B"].pk,
        starts_at=nine,
        ends_at=nine + dt.timedelta(hours=1),
        channel="portal",
    )
    return org, make_household(org), made, monday


@pytest.mark.parametrize("size", ["page", "phone_page"])
def test_rental_pages_are_accessible_at_both_sizes(request, size, hall, login):
    from playwright.sync_api import expect

    _org, family, places, monday = hall
    page = request.getfixturevalue(size)
    url = f"/o/riverside/rentals/?facility={places['Gym B'].pk}&day={monday.isoformat()}"
    page.goto(url)  # a visitor may look
    expect(page.get_by_role("heading", name="Rent a facility", level=1)).to_be_visible()
    expect(page.get_by_text("Sign in to book")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    login(page, family.payer.username)
    page.goto(url)
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "portal-rentals")
    page.goto(url + "&view=week")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.goto(f"/o/riverside/rentals/?facility={places['Community Hall'].pk}&day={monday.isoformat()}")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Requested, waiting for approval").first).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.goto("/o/riverside/account/")
    expect(page.get_by_role("heading", name="Rental requests", level=2)).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_keyboard_only_book_a_free_slot_into_the_cart_and_ask_for_the_hall(page, hall, login):
    from playwright.sync_api import expect

    _org, family, places, monday = hall
    login(page, family.payer.username)
    page.goto(f"/o/riverside/rentals/?facility={places['Gym B'].pk}&day={monday.isoformat()}")
    expect(page.get_by_role("row", name="9:00").get_by_text("Taken")).to_be_visible()
    tab_to(page, "From", role="combobox")
    for _ in range(2):  # 07:00, 08:00, then 10:00: 09:00 is taken, so not offered
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("combobox", name="From")).to_have_value("10:00")
    tab_to(page, "Until", role="combobox")
    for _ in range(2):  # 08:00, 10:00, 11:00
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("combobox", name="Until")).to_have_value("11:00")
    press_on(page, "Add to cart", role="button")
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
    expect(page.get_by_text("Gym B on Monday")).to_be_visible()

    page.goto(f"/o/riverside/rentals/?facility={places['Community Hall'].pk}&day={monday.isoformat()}")
    tab_to(page, "A note for the office (optional)", role="textbox")
    page.keyboard.type("Scout meeting")
    press_on(page, "Send the request", role="button")
    expect(page.get_by_text("Requested, waiting for approval: Community Hall")).to_be_visible()
    expect(page.get_by_role("row", name="7:00").get_by_text("Requested, waiting for approval")).to_be_visible()

"""The shop in Debian's Chromium (issue 12, items 1, 3, 4): every page accessible (axe) at
desktop and phone size without sideways scrolling; a family finds a class, adds it and opens the
cart with the keyboard alone; the cart's warnings are read out at 2 minutes and at 20 seconds,
and one click extends the time (H1)."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from carts.services import add_to_cart
from catalog.models import Meeting, Schedule
from catalog.tests.factories import make_offering
from households.tests.factories import make_household, make_participant
from organizations.tests.factories import make_organization
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, press_on, screenshot, tab_to

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(transactional_db):
    """An organization with a few classes (one full, one held full), and a family of two."""
    org = make_organization(slug="riverside", name="Riverside Parks & Recreation")
    household = make_household(org, children=0)
    make_participant(household, first_name="Maya", born=date(2018, 6, 1))
    make_participant(household, first_name="Leo", born=date(2021, 2, 1))
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    offerings = {}
    for name, capacity, ages in (
        ("Swim Tots", 8, (3, 6)),
        ("Junior Soccer", 12, (6, 10)),
        ("Pottery for Kids", 1, (5, 12)),
        ("Family Yoga", None, (None, None)),
    ):
        offering = make_offering(
            org,
            name=name,
            capacity=capacity,
            min_age=ages[0],
            max_age=ages[1],
            starts_on=monday,
            ends_on=monday + timedelta(days=21),
            description=f"{name}: a weekly class for the whole season.",
        )
        Schedule.objects.create(
            offering=offering,
            weekdays=[0, 2],
            starts_on=monday,
            ends_on=monday + timedelta(days=21),
            starts_at=time(9, 30),
            ends_at=time(10, 15),
            location="Community Pool",
        )
        for week in range(4):
            start = timezone.make_aware(
                timezone.datetime.combine(monday + timedelta(days=7 * week), time(9, 30)), org.zone
            )
            Meeting.objects.create(
                offering=offering, starts_at=start, ends_at=start + timedelta(minutes=45), location="Community Pool"
            )
        offerings[name] = offering
    neighbour = make_household(org)
    add_to_cart(
        household=neighbour,
        offering_id=offerings["Pottery for Kids"].pk,
        participant_id=neighbour.participants.get().pk,
        channel="portal",
    )
    return org, household, offerings


def fill_cart(household, offerings, *, started_ago=timedelta(0)):
    maya, leo = household.participants.order_by("first_name")[1], household.participants.order_by("first_name")[0]
    with time_machine.travel(timezone.now() - started_ago, tick=False):
        add_to_cart(
            household=household, offering_id=offerings["Junior Soccer"].pk, participant_id=maya.pk, channel="portal"
        )
        add_to_cart(household=household, offering_id=offerings["Swim Tots"].pk, participant_id=leo.pk, channel="portal")


@pytest.mark.parametrize("size", ["page", "phone_page"])
def test_shop_pages_are_accessible_at_both_sizes(request, size, shop, login):
    from playwright.sync_api import expect

    _org, household, offerings = shop
    page = request.getfixturevalue(size)
    page.goto("/o/riverside/")  # a visitor
    expect(page.get_by_role("heading", name="Register with Riverside Parks & Recreation", level=1)).to_be_visible()
    expect(page.get_by_text("Full — 1 seat is held in a cart and may come back")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    login(page, household.payer.username)
    fill_cart(household, offerings)
    page.goto("/o/riverside/")
    expect(page.get_by_text("6 of 8 left").or_(page.get_by_text("7 of 8 left")).first).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "portal-catalog")
    page.goto("/o/riverside/?q=soccer&age=8")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.goto(f"/o/riverside/offerings/{offerings['Junior Soccer'].pk}/")
    expect(page.get_by_role("heading", name="Junior Soccer", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "portal-offering")
    page.goto("/o/riverside/cart/")
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
    expect(page.get_by_role("timer")).to_contain_text("left")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "portal-cart")


def test_keyboard_only_find_a_class_add_it_and_open_the_cart(page, shop, login):
    from playwright.sync_api import expect

    _org, household, _offerings = shop
    login(page, household.payer.username)
    page.goto("/o/riverside/")
    tab_to(page, "Search (optional)", role="textbox")
    page.keyboard.type("soccer")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 offering", level=2)).to_be_visible()
    press_on(page, "Maya " + household.name, key="Space", role="checkbox")
    press_on(page, "Add Junior Soccer to cart", role="button")
    expect(page.get_by_text(f"Junior Soccer for Maya {household.name} is in your cart.")).to_be_visible()
    expect(page.locator("#portal-cart-count")).to_contain_text("1")
    press_on(page, "Go to your cart", role="link")
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
    expect(page.get_by_role("row", name=f"Junior Soccer Maya {household.name}")).to_be_visible()
    tab_to(page, "Check out", role="button")


def test_h1_warnings_are_read_out_and_one_click_extends(page, shop, login):
    """The countdown runs on the browser's clock (Playwright's fake clock, no sleeping), from
    the expiry the server gave: 2:05 left at load, the 2-minute warning 5 seconds later."""
    from playwright.sync_api import expect

    _org, household, offerings = shop
    login(page, household.payer.username)
    fill_cart(household, offerings, started_ago=timedelta(minutes=17, seconds=55))
    page.clock.install()
    page.goto("/o/riverside/cart/")
    alert = page.locator("#cart-timer-alert")
    expect(alert).to_have_text("")
    page.clock.run_for(6000)
    expect(alert).to_have_text("Your cart expires in 2 minutes. Choose Extend my time to keep your places.")
    page.get_by_role("button", name="Extend my time").click()
    expect(page.get_by_text("Your cart's time was extended.")).to_be_visible()
    expect(page.get_by_role("timer")).to_contain_text("19:5")
    expect(page.locator("#cart-timer-alert")).to_have_text("")


def test_h1_the_last_warning_at_20_seconds(page, shop, login):
    from playwright.sync_api import expect

    _org, household, offerings = shop
    login(page, household.payer.username)
    fill_cart(household, offerings, started_ago=timedelta(minutes=19, seconds=35))
    page.clock.install()
    page.goto("/o/riverside/cart/")
    page.clock.run_for(6000)
    expect(page.locator("#cart-timer-alert")).to_have_text(
        "Your cart expires in 20 seconds. Choose Extend my time to keep your places."
    )
    assert_accessible(page)

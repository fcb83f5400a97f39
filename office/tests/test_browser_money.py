"""Money at the desk in Debian's Chromium (issue 13, item 5): the money page and the alerts inbox
pass axe (WCAG 2.1 A/AA) at desktop and phone sizes with no sideways scroll, and a payment is
recorded with the keyboard alone. `make screenshots` writes docs/screenshots/office-money-*.png."""

import pytest
from django.utils import timezone

from orders.models import Order
from payments.models import Payment
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, press_on, screenshot, tab_to

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def money_world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from office.tests.world import make_world

    world = make_world()
    world.organization.payment_provider = "sandbox"
    world.organization.save()
    return world


def test_the_money_page_and_the_alerts_inbox_are_accessible(page, phone_page, money_world, login):
    world = money_world
    slug = world.organization.slug
    for tab in (page, phone_page):
        login(tab, world.users["admin"].username)
        # The live server's first answer loads the URL configuration and templates: on a
        # machine shared with other test suites that alone can pass the default 10 s.
        tab.goto(f"/office/{slug}/households/{world.household.pk}/money/", timeout=60_000)
        expect()(tab.get_by_role("heading", level=1)).to_contain_text("Money:")
        assert_accessible(tab)
        assert_no_sideways_scroll(tab)
        screenshot(tab, "office-money-household")
        tab.goto(f"/office/{slug}/alerts/")
        expect()(tab.get_by_role("heading", level=1)).to_have_text("Payments and alerts")
        assert_accessible(tab)
        assert_no_sideways_scroll(tab)
        screenshot(tab, "office-money-alerts")


def test_the_roster_group_and_calendar_pages_are_accessible(page, phone_page, money_world, login):
    import datetime as dt
    import zoneinfo

    from catalog.tests.factories import make_facility_with_slots

    world = money_world
    slug = world.organization.slug
    zone = zoneinfo.ZoneInfo(world.organization.time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=2)
    facility, _ = make_facility_with_slots(world.organization, first_slot=dt.datetime.combine(day, dt.time(17), zone))
    pages = [
        ("classes/", "My classes", "office-classes"),
        ("classes/{offering_id}/", "", "office-class"),
        ("meetings/{meeting_id}/roster/", "Roster:", "office-roster"),
        ("offerings/{offering_id}/group-enroll/?households={household_id}", "Group enroll:", "office-group-enroll"),
        (f"calendar/?facility={facility.pk}&day={day.isoformat()}", "Facility calendar", "office-calendar"),
    ]
    for tab in (page, phone_page):
        login(tab, world.users["admin"].username)
    for path, heading, name in pages:
        for tab in (page, phone_page):
            tab.goto(f"/office/{slug}/" + path.format(**world.url_kwargs))
            expect()(tab.get_by_role("heading", level=1)).to_contain_text(heading)
            assert_accessible(tab)
            assert_no_sideways_scroll(tab)
            screenshot(tab, name)


def test_p5_a_payment_is_recorded_with_the_keyboard_alone(page, money_world, login):
    world = money_world
    login(page, world.users["frontdesk"].username)
    page.goto(f"/office/{world.organization.slug}/households/{world.household.pk}/money/")
    tab_to(page, "Amount received", role="textbox")
    page.keyboard.type("30.00")
    tab_to(page, "Cash", role="radio")  # a radio group is one Tab stop; the arrows choose
    page.keyboard.press("ArrowDown")
    tab_to(page, "Note (optional)", role="textbox")
    page.keyboard.type("Cheque 204")
    press_on(page, "Record the payment", role="button")
    expect()(page.get_by_text("$30.00 recorded (Cheque).")).to_be_visible()
    expect()(page.get_by_text("Paid in full").first).to_be_visible()
    assert Payment.objects.get(household=world.household).note == "Cheque 204"
    assert Order.objects.get(pk=world.url_kwargs["order_id"]).status == "paid"
    assert_accessible(page)
    screenshot(page, "office-money-paid")

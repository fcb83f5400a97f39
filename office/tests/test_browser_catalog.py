"""The admin2 pages in Debian's Chromium (issue 14): the rental approvals queue (S6) and the
catalog management pages pass axe with no sideways scrolling, on a desktop and on a phone,
and are driven with the keyboard alone. `make screenshots` writes their docs/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.tests.factories import make_facility_with_slots
from households.tests.factories import make_household
from rentals.models import RentalRequest
from rentals.services import request_rental
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, press_on, screenshot, tab_to

pytestmark = pytest.mark.browser

# A test server's first office page builds every template and URL it needs; on a busy CI
# machine that alone has taken more than the harness's 10 s.
COLD_START_MS = 60_000


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def catalog_world(transactional_db):
    from office.tests.world import make_world

    world = make_world()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    facility, slots = make_facility_with_slots(world.organization, first_slot=start, slots=2, price="35.00")
    facility.name, facility.requires_approval = "Community Hall", True
    facility.save()
    world.url_kwargs["facility_id"] = facility.pk
    world.request = request_rental(
        household=make_household(world.organization),
        facility_id=facility.pk,
        starts_at=slots[0].starts_at,
        ends_at=slots[1].ends_at,
        channel="portal",
        note="Birthday party for 20 children",
    )
    return world


def test_s6_the_approvals_queue_is_accessible_and_approved_with_the_keyboard(page, phone_page, catalog_world, login):
    world = catalog_world
    for tab in (page, phone_page):
        login(tab, world.users["frontdesk"].username)
        tab.goto(f"/office/{world.organization.slug}/approvals/", timeout=COLD_START_MS)
        expect()(tab.get_by_role("heading", level=1)).to_have_text("Rental approvals")
        assert_accessible(tab)
        assert_no_sideways_scroll(tab)
        screenshot(tab, "approvals")
    tab_to(page, "Note to the household (the reason, when declining)", role="textbox")
    page.keyboard.type("The keys are at the front desk.")
    press_on(page, "Approve and invoice on account", role="button")
    expect()(page.get_by_text("Approved: order")).to_be_visible()
    assert RentalRequest.objects.get(pk=world.request.pk).status == "approved"
    assert_accessible(page)
    screenshot(page, "approvals-decided")


CATALOG_PAGES = [
    ("setup/offerings/{offering_id}/edit/", "Change ", "setup-offering-edit"),
    ("setup/offerings/{offering_id}/schedule/", "Schedule of ", "setup-schedule"),
    ("setup/programs/", "Programs", "setup-programs"),
    ("setup/programs/{program_id}/", "Swim", "setup-program"),
    ("setup/closures/", "Closures and holidays", "setup-closures"),
    ("setup/facilities/", "Facilities", "setup-facilities"),
    ("setup/facilities/{facility_id}/", "Community Hall", "setup-facility"),
]


def test_every_catalog_page_is_accessible_on_a_desktop_and_a_phone(page, phone_page, catalog_world, login):
    world = catalog_world
    for tab in (page, phone_page):
        login(tab, world.users["admin"].username)
    for path, heading, name in CATALOG_PAGES:
        for tab in (page, phone_page):
            tab.goto(f"/office/{world.organization.slug}/" + path.format(**world.url_kwargs), timeout=COLD_START_MS)
            expect()(tab.get_by_role("heading", level=1)).to_contain_text(heading)
            assert_accessible(tab)
            assert_no_sideways_scroll(tab)
            screenshot(tab, name)


def test_a_weekly_schedule_is_previewed_and_saved_with_the_keyboard_alone(page, catalog_world, login):
    world = catalog_world
    login(page, world.users["admin"].username)
    page.goto(
        f"/office/{world.organization.slug}/setup/offerings/{world.url_kwargs['offering_id']}/schedule/",
        timeout=COLD_START_MS,
    )
    press_on(page, "Monday", key="Space", role="checkbox")
    press_on(page, "Wednesday", key="Space", role="checkbox")
    tab_to(page, "First day")
    page.keyboard.type("02022026")
    tab_to(page, "Last day")
    page.keyboard.type("02272026")
    tab_to(page, "From")
    page.keyboard.type("0400P")
    tab_to(page, "Until")
    page.keyboard.type("0500P")
    tab_to(page, "No meeting on (optional)", role="textbox")
    page.keyboard.type("2026-02-16")
    press_on(page, "Preview the meetings", role="button")
    expect()(page.get_by_role("heading", name="7 meetings")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "setup-schedule-preview")
    press_on(page, "Save the schedule", role="button")
    expect()(page.get_by_text("The schedule of")).to_be_visible()
    from catalog.models import Meeting

    assert Meeting.objects.filter(offering_id=world.url_kwargs["offering_id"]).count() == 7

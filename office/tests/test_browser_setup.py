"""Issue 14's pages in Debian's Chromium: every setup and report page passes axe (WCAG 2.1
A/AA) with no sideways scrolling, and the two flows are done with the keyboard alone: creating
an offering with a weekly schedule, and changing the grace period after seeing its impacts.
`make screenshots` writes docs/screenshots/setup-*.png from here."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bulk.tests.helpers import enroll
from catalog.models import Offering
from catalog.tests.factories import make_offering
from imports.services import plan_import
from organizations.models import Organization
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, press_on, screenshot, tab_to

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def setup_world(transactional_db):
    from office.tests.world import make_world

    world = make_world()
    offering = make_offering(world.organization, capacity=6, price="45.00", name="Swim Level 1")
    enroll(world.organization, offering, paid="45.00")
    enroll(world.organization, offering, when=timezone.now() - timedelta(hours=30))
    world.url_kwargs["offering_id"] = offering.pk
    return world


PAGES = [
    ("setup/", "Setup", "setup-home"),
    ("setup/settings/", "Settings", "setup-settings"),
    ("setup/offerings/", "Offerings", "setup-offerings"),
    ("setup/offerings/new/", "New offering", "setup-offering-new"),
    ("setup/offerings/{offering_id}/", "Swim Level 1", "setup-offering"),
    ("setup/imports/", "Import from CSV", "setup-imports"),
    ("setup/imports/{run_id}/", "Import of", "setup-import-run"),
    ("setup/absence-reasons/", "Absence reasons", "setup-absence-reasons"),
    ("setup/staff/", "Staff and permissions", "setup-staff"),
    ("setup/audit/", "Audit log", "setup-audit"),
    ("setup/outbox/", "Email outbox", "setup-outbox"),
    ("setup/worker/", "Worker", "setup-worker"),
    ("reports/", "Reports", "reports-home"),
    ("reports/occupancy/", "Occupancy by program", "reports-occupancy"),
    ("reports/days/", "Registrations and revenue by day", "reports-days"),
    ("reports/incomplete/", "Incomplete registrations by payment state", "reports-incomplete"),
]


def test_every_setup_and_report_page_is_accessible(page, phone_page, setup_world, login):
    world = setup_world
    run = plan_import(membership=world.staff["admin"], kind="offerings", text="code,kind,name,price\nA1,class,Art,5\n")
    kwargs = world.url_kwargs | {"run_id": run.pk}
    for tab in (page, phone_page):
        login(tab, world.users["admin"].username)
    for path, heading, name in PAGES:
        for tab in (page, phone_page) if name in ("setup-settings", "reports-occupancy", "setup-staff") else (page,):
            tab.goto(f"/office/{world.organization.slug}/" + path.format(**kwargs))
            expect()(tab.get_by_role("heading", level=1)).to_contain_text(heading)
            assert_accessible(tab)
            assert_no_sideways_scroll(tab)
            screenshot(tab, name)


def test_an_offering_with_a_weekly_schedule_is_created_with_the_keyboard_alone(page, setup_world, login):
    world = setup_world
    login(page, world.users["admin"].username)
    page.goto(f"/office/{world.organization.slug}/setup/offerings/new/")
    tab_to(page, "Kind", role="combobox")
    page.keyboard.press("ArrowDown")  # Class -> Camp session
    page.keyboard.press("ArrowUp")  # back to Class
    tab_to(page, "Name", role="textbox")
    page.keyboard.type("Pottery for teens")
    tab_to(page, "Price", role="textbox")
    page.keyboard.type("90.00")
    tab_to(page, "Capacity (optional)", role="spinbutton")
    page.keyboard.type("10")
    tab_to(page, "First day (optional)")
    page.keyboard.type("01062026")
    tab_to(page, "Last day (optional)")
    page.keyboard.type("01292026")
    press_on(page, "Tuesday", key="Space", role="checkbox")
    press_on(page, "Thursday", key="Space", role="checkbox")
    tab_to(page, "From (optional)")
    page.keyboard.type("0600P")
    tab_to(page, "Until (optional)")
    page.keyboard.type("0730P")
    press_on(page, "Create the offering", role="button")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Pottery for teens")
    pottery = Offering.objects.get(organization=world.organization, name="Pottery for teens")
    assert pottery.meetings.count() == 8
    assert_accessible(page)
    screenshot(page, "setup-offering-created")


def test_the_grace_period_is_changed_with_the_keyboard_after_seeing_its_impacts(page, setup_world, login):
    world = setup_world
    login(page, world.users["admin"].username)
    page.goto(f"/office/{world.organization.slug}/setup/settings/")
    field = tab_to(page, "Grace period (hours)", role="spinbutton")
    field.press("Control+a")
    page.keyboard.type("24")
    press_on(page, "Preview the changes", role="button")
    expect()(page.get_by_role("heading", name="Grace Period Impacts")).to_be_visible()
    expect()(page.get_by_role("cell", name="Deleted now")).to_be_visible()
    assert Organization.objects.get(pk=world.organization.pk).grace_period_hours == 0
    assert_accessible(page)
    screenshot(page, "setup-settings-preview")
    press_on(page, "Save these changes", role="button")
    expect()(page.get_by_text("Settings saved.")).to_be_visible()
    assert Organization.objects.get(pk=world.organization.pk).grace_period_hours == 24


def test_x1_a_permission_is_given_from_the_staff_page_with_the_keyboard_alone(phone_page, setup_world, login):
    """Setup > Staff and permissions at phone size: tick 'Delete enrollments' for the front desk
    and save, without a mouse; the page says so and the member has it."""
    world = setup_world
    page = phone_page
    login(page, world.users["admin"].username)
    page.goto(f"/office/{world.organization.slug}/setup/staff/")
    desk = world.staff["frontdesk"]
    name = world.users["frontdesk"].get_full_name() or world.users["frontdesk"].username
    box = page.locator(f"#perm-{desk.pk}-delete_enrollments")
    box.focus()
    page.keyboard.press("Space")
    tab_to(page, f"Save {name}'s permissions", role="button")
    page.keyboard.press("Enter")
    expect()(page.get_by_text(f"{name}'s permissions were saved.")).to_be_visible()
    desk.refresh_from_db()
    assert "delete_enrollments" in desk.permissions
    assert_accessible(page)
    assert_no_sideways_scroll(page)

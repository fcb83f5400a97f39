"""The desk's pages (issue 13) in Debian's Chromium, on the demo that `make run` loads: accessible
(axe, WCAG 2.1 A/AA) at desktop and phone sizes without sideways scrolling, and a household found
by typing. `make screenshots` writes docs/screenshots/desk-*.png from here."""

import pytest
from django.core.management import call_command

from capacity.models import Claim
from households.models import Household
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, screenshot, tab_to

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", quiet_logins=True, verbosity=0)


def expect():
    from playwright.sync_api import expect

    return expect


def desk_pages():
    nguyen = Household.objects.get(payer__username="nguyen")
    parker_hold = Claim.objects.filter(household__payer__username="parker", state=Claim.State.HELD).first()
    return [
        ("pending/", "Pending", "desk-pending"),
        ("pending/?show=carts", "Pending", "desk-pending-carts"),
        ("occupancy/", "Occupancy", "desk-occupancy"),
        (f"occupancy/?households={nguyen.pk}", "Occupancy", "desk-occupancy-group"),
        (f"occupancy/{parker_hold.offering_id}/", parker_hold.offering.name, "desk-occupancy-offering"),
        ("households/?q=parker", "Households", "desk-households"),
        ("households/new/", "New household", "desk-household-new"),
        (f"households/{nguyen.pk}/", nguyen.name, "desk-household"),
    ]


def test_the_desk_pages_are_accessible_at_both_sizes(page, phone_page, demo, login):
    for tab in (page, phone_page):
        login(tab, "manager")
        for path, heading, name in desk_pages():
            tab.goto(f"/office/riverside/{path}", timeout=60_000)  # the server's first request is slow
            expect()(tab.get_by_role("heading", level=1)).to_contain_text(heading)
            assert_accessible(tab)
            assert_no_sideways_scroll(tab)
            screenshot(tab, name)


def test_s8_a_household_is_found_as_you_type_and_opened_with_the_keyboard(page, demo, login):
    login(page, "frontdesk")
    page.goto("/office/riverside/households/", timeout=60_000)  # the server's first request is slow
    tab_to(page, "Find a household", role="searchbox")
    page.keyboard.type("nguy")
    link = page.locator("#results").get_by_role("link").first
    expect()(link).to_be_visible()  # htmx swapped the results in without a submit
    tab_to(page, link.inner_text(), role="link")
    page.keyboard.press("Enter")
    expect()(page.get_by_role("heading", level=2, name="Cart")).to_be_visible()
    assert_accessible(page)

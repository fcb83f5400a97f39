"""X6's pages in Debian's Chromium: the lock-out page, the token list and the office's list of
lock-outs pass axe (WCAG 2.1 A/AA) without sideways scrolling, on a desktop and a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import LoginThrottle
from accounts.tokens import issue
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    from office.tests.world import make_world

    world = make_world()
    customer = world.users["customer"]
    issue(user=customer, label="phone app")
    now = timezone.now()
    LoginThrottle.objects.create(
        scope="account",
        key=customer.username,
        user=customer,
        failures=10,
        window_started_at=now,
        last_failed_at=now,
        locked_until=now + timedelta(minutes=15),
    )
    return world


def test_x6_the_token_and_lock_out_pages_are_accessible(page, phone_page, world, login):
    from playwright.sync_api import expect

    for tab in (page, phone_page):
        login(tab, world.users["admin"].username)
        issue(user=world.users["admin"], label="integration")
        tab.goto("/accounts/tokens/")
        expect(tab.get_by_role("heading", level=1)).to_contain_text("API tokens")
        assert_accessible(tab)
        assert_no_sideways_scroll(tab)
        tab.goto(f"/office/{world.organization.slug}/setup/lockouts/")
        expect(tab.get_by_role("cell", name=world.users["customer"].username)).to_be_visible()
        assert_accessible(tab)
        assert_no_sideways_scroll(tab)


def test_x6_a_locked_out_sign_in_shows_a_page_saying_so(page, world):
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(world.users["customer"].username)
    page.get_by_label("Password").fill("pw-12345-secret")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")
    assert_accessible(page)
    assert_no_sideways_scroll(page)

"""The office's pages in Debian's Chromium, on the demo that `make run` loads: accessible (axe,
WCAG 2.1 A/AA) at desktop and phone sizes, no sideways scrolling. `make screenshots` writes
docs/screenshots/office-*.png from here."""

import pytest
from django.core.management import call_command

from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, screenshot

pytestmark = pytest.mark.browser

SIZES = ["page", "phone_page"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", quiet_logins=True, verbosity=0)


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.mark.parametrize("size", SIZES)
def test_the_office_home_is_accessible(request, size, demo, login):
    page = request.getfixturevalue(size)
    login(page, "admin")
    page.goto("/office/riverside/")
    expect()(page.get_by_role("heading", name="Office", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "office-home")

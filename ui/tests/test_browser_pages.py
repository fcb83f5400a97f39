"""The home page, sign-in and sign-out, and the error pages in Debian's Chromium: accessible (axe,
WCAG 2.1 A/AA) at desktop and phone sizes, no sideways scrolling, usable with the keyboard alone.
`make screenshots` writes docs/screenshots/{home,login}-{desktop,phone}.png from here."""

import pytest
from django.core.management import call_command

from organizations.tests.factories import make_user
from ui.testing.browser import (
    assert_accessible,
    assert_no_sideways_scroll,
    focused_description,
    press_on,
    screenshot,
    tab_to,
)

pytestmark = pytest.mark.browser

PASSWORD = "pw-12345-secret"  # the factories' default
SIZES = ["page", "phone_page"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(transactional_db):
    """What `make run` shows: the Riverside demo with its carts."""
    call_command("load_demo", quiet_logins=True, verbosity=0)


@pytest.fixture
def parker(transactional_db):
    return make_user("parker-test", password=PASSWORD)


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.mark.parametrize("size", SIZES)
def test_the_home_page_lists_the_organizations_and_is_accessible(request, size, demo):
    page = request.getfixturevalue(size)
    page.goto("/")
    expect()(page).to_have_title("Organizations | Registrar")
    table = page.get_by_role("table", name="Organizations")
    expect()(table.get_by_role("rowheader", name="Riverside Parks & Recreation")).to_be_visible()
    expect()(table.get_by_role("link", name="Catalog (JSON)")).to_have_attribute(
        "href", "/api/v1/orgs/riverside/offerings"
    )
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "home")


@pytest.mark.parametrize("size", SIZES)
def test_the_sign_in_page_is_accessible_with_and_without_errors(request, size, transactional_db):
    page = request.getfixturevalue(size)
    page.goto("/accounts/login/")
    expect()(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "login")

    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect()(page).to_have_title("Error: Sign in | Registrar")
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_person_signs_in_with_the_keyboard_alone_and_lands_where_they_were_going(page, parker):
    page.goto("/accounts/login/?next=/%3Ffrom%3Dkeyboard")
    tab_to(page, "Username", role="textbox")
    page.keyboard.type(parker.username)
    tab_to(page, "Password", role="textbox")
    page.keyboard.type(PASSWORD)
    press_on(page, "Sign in", role="button")
    page.wait_for_url("**/?from=keyboard")
    expect()(page.get_by_text(f"Signed in as {parker.username}")).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_a_failed_sign_in_puts_focus_on_the_error_summary_whose_link_leads_to_the_field(request, size, parker):
    page = request.getfixturevalue(size)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(parker.username)
    page.get_by_label("Password").fill("not the password")
    page.keyboard.press("Enter")
    summary = page.get_by_role("heading", name="There is a problem")
    expect()(summary).to_be_visible()
    assert page.evaluate("document.activeElement.matches('[data-ui-error-summary]')"), focused_description(page)
    press_on(page, "Please enter a correct username and password. Note that both fields may be case-sensitive.")
    expect()(page.get_by_label("Username")).to_be_focused()


def test_signing_out_from_the_header_with_the_keyboard(page, parker, login):
    login(page, parker.username)
    page.goto("/")
    press_on(page, "Sign out", role="button")
    expect()(page.get_by_text("You have signed out.")).to_be_visible()
    expect()(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_signing_out_on_a_phone_through_the_menu(phone_page, parker, login):
    page = phone_page
    login(page, parker.username)
    page.goto("/")
    expect()(page.get_by_role("button", name="Sign out")).to_be_hidden()  # folded away in the menu
    page.get_by_role("button", name="Menu").tap()
    assert_accessible(page)  # with the menu open
    page.get_by_role("button", name="Sign out").tap()
    expect()(page.get_by_text("You have signed out.")).to_be_visible()


@pytest.mark.urls("ui.tests.urls")
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/no-such-page/", 404, "Page not found"),
        ("/_ui/forbidden/", 403, "You cannot see this page"),
        ("/_ui/fail/", 500, "Sorry, something went wrong on our side"),
    ],
)
def test_the_error_pages_are_accessible(request, size, path, status, heading, transactional_db):
    page = request.getfixturevalue(size)
    response = page.goto(path)
    assert response.status == status
    expect()(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect()(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)

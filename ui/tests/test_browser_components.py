"""Every shared component on one page (ui/templates/ui/examples/components.html, served by
ui/tests/urls.py) in Debian's Chromium: accessible at both sizes, htmx partials, the confirmation
step, and all of it under a strict Content-Security-Policy (no inline script or style, no eval)."""

import pytest

from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, press_on

pytestmark = [pytest.mark.browser, pytest.mark.urls("ui.tests.urls")]

SIZES = ["page", "phone_page"]
# What the hardening issue is expected to send; nothing on these pages may need more.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.mark.parametrize("size", SIZES)
def test_the_components_are_accessible_before_and_after_a_failed_submission(request, size, transactional_db):
    page = request.getfixturevalue(size)
    page.goto("/_ui/components/")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Send").click()
    expect()(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_summary_link_puts_the_cursor_in_its_field(page, transactional_db):
    page.goto("/_ui/components/")
    page.get_by_role("button", name="Send").click()
    press_on(page, "Participant's name: This field is required.", role="link")
    expect()(page.get_by_label("Participant's name")).to_be_focused()
    page.get_by_role("link", name="Day: This field is required.").click()
    expect()(page.get_by_label("Monday")).to_be_focused()


def test_pagination_swaps_the_results_in_place_with_htmx_and_keeps_the_address(page, transactional_db):
    page.goto("/_ui/components/")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Next").click()
    expect()(page.get_by_role("rowheader", name="Swimming 6")).to_be_visible()
    expect()(page).to_have_url("/_ui/components/?page=2")
    assert page.evaluate("window.notReloaded === true")  # the page itself stayed
    expect()(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    assert_accessible(page)


def test_a_destructive_action_asks_before_it_acts(page, transactional_db):
    page.goto("/_ui/components/")
    page.get_by_role("button", name="Delete the hold").click()
    expect()(page.get_by_role("heading", name="Delete this hold?", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    expect()(page.get_by_text("Hold 42 deleted.")).to_have_count(0)
    page.get_by_role("button", name="Delete the hold").click()
    press_on(page, "Delete the hold", role="button")
    expect()(page.get_by_text("Hold 42 deleted.")).to_be_visible()


def test_the_pages_need_nothing_a_strict_content_security_policy_forbids(page, transactional_db):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def with_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route(lambda url: "/static/" not in url, with_csp)
    for path in ("/", "/accounts/login/", "/_ui/components/"):
        page.goto(path)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Next").click()
    expect()(page.get_by_role("rowheader", name="Swimming 6")).to_be_visible()  # htmx works under the policy
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Menu").click()  # USWDS's script works under it too
    expect()(page.get_by_role("button", name="Close the menu")).to_be_visible()
    assert problems == []

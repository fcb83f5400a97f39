"""The sandbox's payment page (portal/views_sandbox.py), in the design system: accessible and
without sideways scrolling at both sizes, before and after the customer chooses."""

import pytest

from payments.tests.conftest import unpaid_order
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("size", ["page", "phone_page"])
@pytest.mark.parametrize("choice", ["Pay", "Decline", "Abandon"])
def test_the_sandbox_payment_page_is_accessible(request, size, choice, transactional_db):
    from playwright.sync_api import expect

    page = request.getfixturevalue(size)
    unpaid = unpaid_order(provider="sandbox", price="1042.50")
    page.goto(f"/pay/sandbox/{unpaid.session.provider_session_id}/")
    expect(page.get_by_role("heading", name="Sandbox payment page", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name=choice).click()
    expect(page.get_by_role("status")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)

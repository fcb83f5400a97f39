"""A French Canadian organization's shop in Debian's Chromium (decision 0025): French money and
dates among English words, and every page still accessible (axe: a valid <html lang>, naming the
language of the words) at desktop and phone size without sideways scrolling."""

import pytest

from organizations.models import Organization
from portal.tests.test_shop_browser import fill_cart, shop  # noqa: F401 (the fixture)
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["page", "phone_page"])
def test_a_french_canadian_shop_is_accessible_at_both_sizes(request, size, shop, login):  # noqa: F811
    from playwright.sync_api import expect

    org, household, offerings = shop
    Organization.objects.filter(pk=org.pk).update(locale="fr-ca")
    page = request.getfixturevalue(size)
    login(page, household.payer.username)
    fill_cart(household, offerings)
    page.goto("/o/riverside/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Search")).to_be_visible()
    expect(page.get_by_text("$50,00").first).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.goto(f"/o/riverside/offerings/{offerings['Junior Soccer'].pk}/")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.goto("/o/riverside/cart/")
    expect(page.get_by_text("Total: $100,00")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)

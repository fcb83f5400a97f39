"""The sandbox payment page in a real browser (Debian's Chromium, driven by Playwright through
ui.testing.browser's `page`): what a customer sees and clicks, then the delayed, signed webhook
that settles the order. The page's accessibility is checked with the portal's tests
(portal/tests/test_sandbox_page_browser.py): a domain app's tests import no interface code."""

from datetime import timedelta
from decimal import Decimal

import pytest

from orders.models import Order
from payments.models import Payment, PaymentSession, SandboxCheckout
from payments.providers.sandbox import deliver_sandbox_webhooks
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET, T0, unpaid_order

pytestmark = pytest.mark.browser


@pytest.fixture
def unpaid(live_server, settings, clock):
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    settings.SANDBOX_WEBHOOK_DELAY_SECONDS = 30
    settings.SITE_URL = live_server.url  # the job posts the webhook to this running site
    return unpaid_order(provider="sandbox", price="42.50")


def page_url(live_server, unpaid) -> str:
    return f"{live_server.url}/pay/sandbox/{unpaid.session.provider_session_id}/"


def test_p4_a_customer_pays_on_the_sandbox_page_and_the_late_webhook_settles_the_order(
    page, live_server, unpaid, clock
):
    from playwright.sync_api import expect

    page.goto(page_url(live_server, unpaid))
    expect(page.get_by_role("heading", name="Sandbox payment page")).to_be_visible()
    expect(page.get_by_text("42.50")).to_be_visible()
    expect(page.get_by_text(unpaid.order.organization.name).first).to_be_visible()

    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("status")).to_have_text("Thank you — your payment is being confirmed.")
    expect(page.get_by_role("button", name="Pay")).to_have_count(0)  # no second choice
    unpaid.order.refresh_from_db()
    assert unpaid.order.status == Order.Status.AWAITING_PAYMENT  # the provider has not reported yet
    assert not Payment.objects.exists()

    clock.shift(31)
    assert deliver_sandbox_webhooks(now=T0 + timedelta(seconds=31)) == 1
    unpaid.order.refresh_from_db()
    assert (unpaid.order.status, unpaid.order.amount_paid) == (Order.Status.PAID, Decimal("42.50"))
    unpaid.session.refresh_from_db()
    assert unpaid.session.status == PaymentSession.Status.PAID

    page.reload()  # the page still says what was chosen
    expect(page.get_by_role("status")).to_have_text("Thank you — your payment is being confirmed.")


def test_declining_on_the_sandbox_page_charges_nothing_and_keeps_the_registration(page, live_server, unpaid, clock):
    from playwright.sync_api import expect

    page.goto(page_url(live_server, unpaid))
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_role("status")).to_contain_text("The payment was declined. Nothing was charged")

    clock.shift(31)
    assert deliver_sandbox_webhooks(now=T0 + timedelta(seconds=31)) == 1
    assert not Payment.objects.exists()
    unpaid.order.refresh_from_db()
    assert unpaid.order.status == Order.Status.AWAITING_PAYMENT
    assert unpaid.order.registrations.filter(deleted_at__isnull=True).exists()

    back = page.get_by_role("link", name=f"Back to {unpaid.order.organization.name}")
    expect(back).to_have_attribute("href", SandboxCheckout.objects.get().return_url)

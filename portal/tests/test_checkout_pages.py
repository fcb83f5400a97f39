"""Checkout -> payment -> confirmation (issue 12 item 5): the cart becomes tentative
registrations before the family leaves for the provider; the return page waits for the webhook
(htmx polling, never JSON) and says paid, declined (with Pay now) or pending."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEvent
from capacity.models import Claim
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from notifications.models import Notification
from organizations.tests.factories import make_organization
from payments.models import PaymentSession, SandboxCheckout
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET, SandboxSigner

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def sandbox(settings):
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def family(db, clock):
    org = make_organization(payment_provider="sandbox", grace_period_hours=48)
    household = make_household(org)
    offering = make_offering(org, name="Swim", price="42.50")
    add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.get().pk, channel="portal"
    )
    client = Client()
    client.force_login(household.payer)
    return org, household, client


def check_out(org, client):
    response = client.post(f"/o/{org.slug}/checkout/", {})
    session = PaymentSession.objects.get()
    return response, session


def test_p2_checkout_makes_tentative_registrations_and_sends_the_family_to_pay(family):
    org, _household, client = family
    response, session = check_out(org, client)
    assert response.status_code == 302
    assert response["Location"] == session.redirect_url  # the sandbox's page
    assert Claim.objects.get().state == Claim.State.TENTATIVE  # no timer runs out at the provider (H1)
    sandbox = SandboxCheckout.objects.get()
    assert sandbox.return_url == f"http://testserver/o/{org.slug}/checkout/return/?payment={session.pk}"


def test_the_return_page_waits_then_shows_paid_and_the_receipt_is_sent(family):
    org, household, client = family
    _response, session = check_out(org, client)
    url = f"/o/{org.slug}/checkout/return/?payment={session.pk}"
    pending = client.get(url)
    html = pending.content.decode()
    assert pending["Content-Type"].startswith("text/html")
    assert "Waiting for your payment" in html
    assert 'hx-trigger="every 2s"' in html
    assert "Check again" in html  # without JavaScript
    assert "Left the payment page without paying?" in html  # not left waiting for a payment never made
    assert f'href="/o/{org.slug}/account/">pay them from your account</a>' in html
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 204  # nothing new, nothing swapped

    SandboxSigner(Client()).deliver(SandboxSigner(Client()).paid(session))
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "You are registered" in fragment
    assert "hx-trigger" not in fragment  # polling stops
    assert "<html" not in fragment
    assert f"A receipt is on its way to {household.email}" in client.get(url).content.decode()
    assert Notification.objects.filter(kind="registrant_receipt").count() == 1


def test_declined_keeps_the_places_until_the_grace_deadline_and_pay_now_starts_again(family):
    org, _household, client = family
    _response, session = check_out(org, client)
    SandboxSigner(Client()).deliver(SandboxSigner(Client()).declined(session))
    html = client.get(f"/o/{org.slug}/checkout/return/?payment={session.pk}").content.decode()
    assert "Your payment was declined" in html
    assert "Wednesday 4 March 2026" in html  # submitted + 48 hours, in the organization's zone
    assert "Pay now" in html
    again = client.post(f"/o/{org.slug}/checkout/pay-again/", {"payment": session.pk})
    new = PaymentSession.objects.exclude(pk=session.pk).get()
    assert again["Location"] == new.redirect_url
    assert new.amount == session.amount


def test_x2_asking_for_a_payment_is_audited_with_who_and_from_which_channel(family):
    """The family asked for the payment, from the portal: the trail says so, at checkout and
    at Pay now, instead of an anonymous system event."""
    org, household, client = family
    _response, session = check_out(org, client)
    SandboxSigner(Client()).deliver(SandboxSigner(Client()).declined(session))
    client.post(f"/o/{org.slug}/checkout/pay-again/", {"payment": session.pk})
    asked = AuditEvent.objects.filter(verb="payment.requested").order_by("pk")
    assert [(e.channel, e.actor_id) for e in asked] == [("portal", household.payer.pk)] * 2


def test_x1_another_households_payment_is_404(family):
    org, _household, client = family
    _response, session = check_out(org, client)
    stranger = Client()
    stranger.force_login(make_household(org).payer)
    assert stranger.get(f"/o/{org.slug}/checkout/return/?payment={session.pk}").status_code == 404
    assert stranger.post(f"/o/{org.slug}/checkout/pay-again/", {"payment": session.pk}).status_code == 404
    assert client.get(f"/o/{org.slug}/checkout/return/?payment=abc").status_code == 404


def test_p7_the_grace_warning_carries_the_same_pay_link_as_staff_send_and_it_needs_no_sign_in(family):
    org, household, client = family
    _response, _session = check_out(org, client)
    from orders.paylink import order_id_from_token
    from registrations.services import apply_grace_policies

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        apply_grace_policies(now=T0 + timedelta(hours=1))
    warning = Notification.objects.filter(kind="registrant_grace_warning").first()
    assert warning is not None
    pay_path = re.search(r"http://testserver(/pay/order/(\S+)/)", warning.body_text)
    order = household.orders.get()
    assert order_id_from_token(pay_path.group(2)) == (order.pk, org.pk)  # the staff's link: the same page
    signed_out = Client()
    page = signed_out.get(pay_path.group(1))
    assert page.status_code == 200
    assert "Pay $42.50 online" in page.content.decode()
    response = signed_out.post(pay_path.group(1))
    assert response["Location"] == PaymentSession.objects.order_by("-pk").first().redirect_url


def test_p7_the_portal_pay_page_signs_a_signed_out_family_in_and_comes_back(family):
    org, household, client = family
    check_out(org, client)
    pay_page = f"/o/{org.slug}/account/orders/{household.orders.get().pk}/pay/"
    signed_out = Client()
    to_sign_in = signed_out.get(pay_page)
    assert to_sign_in.status_code == 302
    back = parse_qs(urlsplit(to_sign_in["Location"]).query)["next"]
    assert back == [pay_page]
    signed_out.force_login(household.payer)  # signing in, then the page it was sent back to
    assert "Pay $42.50 now" in signed_out.get(back[0]).content.decode()


def test_an_empty_cart_checkout_says_so_on_the_cart_page(db, clock):
    org = make_organization(payment_provider="sandbox")
    household = make_household(org)
    client = Client()
    client.force_login(household.payer)
    response = client.post(f"/o/{org.slug}/checkout/", {})
    assert response["Location"] == f"/o/{org.slug}/cart/"

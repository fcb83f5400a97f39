"""The sandbox provider end to end: its payment page, the delayed signed webhook, and the
job that delivers it to this site's own webhook endpoint."""

import json
import re
import socket
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client

from orders.models import Order
from payments.errors import InvalidWebhook, ProviderUnavailable
from payments.models import Payment, PaymentSession, SandboxCheckout, SandboxDelivery, WebhookEvent
from payments.providers import get_provider
from payments.providers.sandbox import LEASE, MAX_ATTEMPTS, _claim_due, deliver_sandbox_webhooks
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET, T0, hmac_signature, unpaid_order


@pytest.fixture(autouse=True)
def sandbox_settings(settings):
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    settings.SANDBOX_WEBHOOK_DELAY_SECONDS = 30
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def unpaid(db, clock):
    return unpaid_order(provider="sandbox", price="42.50")


def page_url(unpaid):
    return f"/pay/sandbox/{unpaid.session.provider_session_id}/"


def choose(client, unpaid, choice):
    return client.post(page_url(unpaid), {"choice": choice})


def assert_unpaid(unpaid):
    assert not Payment.objects.exists()
    unpaid.order.refresh_from_db()
    assert unpaid.order.status == Order.Status.AWAITING_PAYMENT
    unpaid.session.refresh_from_db()
    assert unpaid.session.status == PaymentSession.Status.OPEN


def test_checkout_opens_a_page_on_this_site(unpaid):
    session = unpaid.session
    checkout = SandboxCheckout.objects.get(session=session)
    assert session.provider_session_id == checkout.token
    assert len(checkout.token) >= 32
    assert session.redirect_url == f"http://testserver/pay/sandbox/{checkout.token}/"
    assert checkout.return_url == "http://testserver/orders"
    # Asked again for the same session, the provider gives the same page.
    assert get_provider("sandbox").create_checkout(session, return_url="x") == (checkout.token, session.redirect_url)


def test_without_a_signing_secret_the_sandbox_is_unavailable(db, clock, settings):
    settings.SANDBOX_WEBHOOK_SECRET = ""
    with pytest.raises(ProviderUnavailable):
        unpaid_order(provider="sandbox")
    assert not SandboxCheckout.objects.exists()


def test_the_page_shows_the_amount_the_organization_and_three_buttons(client, unpaid):
    response = client.get(page_url(unpaid))

    assert response.status_code == 200
    html = response.content.decode()
    assert unpaid.order.organization.name in html
    assert "42.50 CAD" in html
    assert re.findall(r'name="choice" value="(\w+)"', html) == ["pay", "decline", "abandon"]
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'href="http://testserver/orders"' in html


def test_an_unknown_page_is_404(client, db):
    assert client.get("/pay/sandbox/no-such-token/").status_code == 404
    assert client.post("/pay/sandbox/no-such-token/", {"choice": "pay"}).status_code == 404


def test_choosing_needs_the_csrf_token(unpaid):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(page_url(unpaid), {"choice": "pay"}).status_code == 403
    assert not SandboxDelivery.objects.exists()

    strict.get(page_url(unpaid))
    token = strict.cookies["csrftoken"].value
    response = strict.post(page_url(unpaid), {"choice": "pay", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert SandboxDelivery.objects.count() == 1


def test_an_unknown_choice_is_400_and_changes_nothing(client, unpaid):
    assert choose(client, unpaid, "refund").status_code == 400
    assert not SandboxDelivery.objects.exists()
    assert SandboxCheckout.objects.get().choice == ""


def test_choosing_pay_schedules_a_webhook_and_changes_nothing_yet(client, unpaid):
    response = choose(client, unpaid, "pay")

    assert response.status_code == 302
    assert response["Location"] == page_url(unpaid)
    delivery = SandboxDelivery.objects.get()
    assert delivery.deliver_at == T0 + timedelta(seconds=30)
    assert delivery.delivered_at is None
    event = json.loads(delivery.body)
    assert event["type"] == "payment.succeeded"
    assert event["data"]["session"] == unpaid.session.provider_session_id
    assert event["data"]["amount"] == "42.50"
    assert event["data"]["payment"].startswith("pay_sbx_")
    assert_unpaid(unpaid)
    assert "Thank you — your payment is being confirmed" in client.get(page_url(unpaid)).content.decode()


@pytest.mark.parametrize(
    ("choice", "event_type", "message"),
    [("decline", "payment.declined", "was declined"), ("abandon", "payment.abandoned", "without paying")],
)
def test_declining_or_abandoning_schedules_its_webhook(client, unpaid, choice, event_type, message):
    choose(client, unpaid, choice)

    event = json.loads(SandboxDelivery.objects.get().body)
    assert event["type"] == event_type
    assert "payment" not in event["data"]
    assert message in client.get(page_url(unpaid)).content.decode()
    assert_unpaid(unpaid)


def test_the_first_choice_stands(client, unpaid):
    choose(client, unpaid, "pay")
    choose(client, unpaid, "pay")  # a double submit
    choose(client, unpaid, "decline")

    assert SandboxDelivery.objects.count() == 1
    assert SandboxCheckout.objects.get().choice == "pay"


def test_the_job_sends_nothing_before_the_delay(client, unpaid, clock):
    choose(client, unpaid, "pay")
    clock.shift(29)

    assert deliver_sandbox_webhooks(now=T0 + timedelta(seconds=29)) == 0

    delivery = SandboxDelivery.objects.get()
    assert (delivery.attempts, delivery.delivered_at, delivery.last_error) == (0, None, "")
    assert_unpaid(unpaid)


def test_a_failed_delivery_is_retried_later(client, unpaid, clock, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        settings.SITE_URL = f"http://127.0.0.1:{probe.getsockname()[1]}"
    choose(client, unpaid, "pay")
    clock.shift(31)
    now = T0 + timedelta(seconds=31)

    assert deliver_sandbox_webhooks(now=now) == 0

    delivery = SandboxDelivery.objects.get()
    assert delivery.attempts == 1
    assert delivery.delivered_at is None
    assert delivery.last_error
    assert delivery.deliver_at == now + timedelta(seconds=30)  # back-off
    assert deliver_sandbox_webhooks(now=now + timedelta(seconds=29)) == 0
    assert SandboxDelivery.objects.get().attempts == 1
    clock.shift(30)
    deliver_sandbox_webhooks(now=now + timedelta(seconds=30))
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.deliver_at == now + timedelta(seconds=30 + 60)
    assert_unpaid(unpaid)


def test_a_delivery_is_given_up_after_the_last_attempt(client, unpaid):
    choose(client, unpaid, "pay")
    SandboxDelivery.objects.update(attempts=MAX_ATTEMPTS)
    assert _claim_due(now=T0 + timedelta(days=1)) == []


def test_a_claimed_delivery_is_not_claimed_again_during_its_lease(client, unpaid):
    choose(client, unpaid, "pay")
    now = T0 + timedelta(seconds=31)

    [claimed] = _claim_due(now=now)
    assert claimed.attempts == 1
    assert _claim_due(now=now) == []  # another worker, meanwhile
    assert _claim_due(now=now + LEASE - timedelta(seconds=1)) == []
    # The worker died without reporting: after the lease the delivery is due again.
    assert [d.pk for d in _claim_due(now=now + LEASE)] == [claimed.pk]


def test_the_sandbox_signature_is_verified(db, clock):
    provider = get_provider("sandbox")
    body = json.dumps({"id": "evt_1", "type": "payment.succeeded", "data": {"session": "tok", "amount": "1.00"}})
    good = hmac_signature(SANDBOX_WEBHOOK_SECRET, int(T0.timestamp()), body.encode())
    event = provider.parse_webhook(body=body.encode(), headers={"Sandbox-Signature": good}, now=T0)
    assert (event.outcome, event.amount, event.provider_session_id) == ("paid", Decimal("1.00"), "tok")
    # A second v1 with the right value is accepted too (as during a secret rotation at Stripe).
    rotated = good.replace("v1=", "v1=" + "0" * 64 + ",v1=")
    event = provider.parse_webhook(body=body.encode(), headers={"sandbox-signature": rotated}, now=T0)
    assert event.event_id == "evt_1"


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.005", "NaN", "Infinity", "abc", None])
def test_a_paid_sandbox_event_needs_a_proper_amount(db, clock, amount):
    body = json.dumps({"id": "e", "type": "payment.succeeded", "data": {"session": "t", "amount": amount}}).encode()
    signature = hmac_signature(SANDBOX_WEBHOOK_SECRET, int(T0.timestamp()), body)
    with pytest.raises(InvalidWebhook):
        get_provider("sandbox").parse_webhook(body=body, headers={"Sandbox-Signature": signature}, now=T0)


def test_pay_on_the_page_then_the_job_delivers_to_the_live_site(live_server, settings, clock):
    """End to end: the customer pays on the sandbox page; nothing changes until the job,
    after the delay, POSTs the signed webhook to the running site, which records it."""
    settings.SITE_URL = live_server.url
    unpaid = unpaid_order(provider="sandbox", price="42.50")
    client = Client()
    page = client.get(page_url(unpaid))
    assert page.status_code == 200
    assert choose(client, unpaid, "pay").status_code == 302

    clock.shift(29)
    assert deliver_sandbox_webhooks(now=T0 + timedelta(seconds=29)) == 0
    assert not WebhookEvent.objects.exists()
    assert_unpaid(unpaid)

    clock.shift(2)
    assert deliver_sandbox_webhooks(now=T0 + timedelta(seconds=31)) == 1

    delivery = SandboxDelivery.objects.get()
    assert delivery.delivered_at == T0 + timedelta(seconds=31)
    assert delivery.attempts == 1
    payment = Payment.objects.get()
    assert (payment.provider, payment.amount, payment.session_id) == ("sandbox", Decimal("42.50"), unpaid.session.pk)
    assert payment.provider_ref == json.loads(delivery.body)["data"]["payment"]
    assert WebhookEvent.objects.get().outcome == "recorded"
    unpaid.order.refresh_from_db()
    assert unpaid.order.status == Order.Status.PAID
    assert unpaid.order.amount_paid == Decimal("42.50")
    unpaid.session.refresh_from_db()
    assert unpaid.session.status == PaymentSession.Status.PAID
    # Nothing left to send.
    clock.shift(3600)
    assert deliver_sandbox_webhooks(now=T0 + timedelta(seconds=3631)) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_deliveries_another_worker_has_locked(clock):
    """PostgreSQL: a row being claimed by one worker is skipped by another, not waited for."""
    unpaid = unpaid_order(provider="sandbox")
    choose(Client(), unpaid, "pay")
    now = T0 + timedelta(seconds=31)
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                list(SandboxDelivery.objects.select_for_update())
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        assert _claim_due(now=now) == []
    finally:
        release.set()
        thread.join()
    assert [d.attempts for d in _claim_due(now=now)] == [1]

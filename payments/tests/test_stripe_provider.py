"""The Stripe provider against a local stand-in for the Stripe API, and its webhook mapping."""

import json
from decimal import Decimal

import pytest

from payments.errors import InvalidWebhook, ProviderUnavailable
from payments.models import PaymentSession
from payments.providers import get_provider
from payments.providers.stripe_provider import from_minor_units, to_minor_units
from payments.tests.conftest import STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, T0, hmac_signature, unpaid_order

pytestmark = pytest.mark.django_db


def test_b3_checkout_session_is_created_with_the_amount_in_cents(clock, fake_stripe):
    unpaid = unpaid_order(provider="stripe", price="49.99")
    session = unpaid.session

    [sent] = fake_stripe.requests
    assert sent["path"] == "/v1/checkout/sessions"
    assert sent["headers"]["Authorization"] == f"Bearer {STRIPE_SECRET_KEY}"
    assert sent["headers"]["Idempotency-Key"] == f"registrar-payment-session-{session.pk}"
    form = sent["form"]
    assert form["mode"] == "payment"
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[0][price_data][unit_amount]"] == "4999"
    assert form["line_items[0][price_data][currency]"] == "cad"
    assert (
        form["line_items[0][price_data][product_data][name]"]
        == f"{unpaid.order.organization.name}: payment {session.pk}"
    )
    assert form["client_reference_id"] == str(session.pk)
    assert form["metadata[payment_session]"] == str(session.pk)
    assert form["success_url"] == "http://testserver/orders?payment=success&session_id={CHECKOUT_SESSION_ID}"
    assert form["cancel_url"] == "http://testserver/orders?payment=cancelled"

    session.refresh_from_db()
    assert session.provider == "stripe"
    assert session.amount == Decimal("49.99")
    assert session.provider_session_id == "cs_test_1"
    assert session.redirect_url == "https://checkout.stripe.test/c/pay/cs_test_1"


def test_stripe_refusing_the_checkout_is_provider_unavailable(clock, fake_stripe):
    fake_stripe.fail_with = 401  # a bad key: not retried by the SDK
    with pytest.raises(ProviderUnavailable):
        unpaid_order(provider="stripe")
    session = PaymentSession.objects.get()
    assert session.provider_session_id == ""
    assert session.status == PaymentSession.Status.OPEN


@pytest.mark.parametrize(
    ("amount", "cents"),
    [(Decimal("0.01"), 1), (Decimal("12.34"), 1234), (Decimal("100"), 10000), (Decimal("1234567.89"), 123456789)],
)
def test_b5_minor_units_convert_exactly_both_ways(amount, cents):
    assert to_minor_units(amount) == cents
    assert from_minor_units(cents) == amount
    assert isinstance(from_minor_units(cents), Decimal)


def test_b5_fractions_of_a_cent_are_refused_not_rounded():
    with pytest.raises(ValueError, match="whole number of cents"):
        to_minor_units(Decimal("10.005"))


def _parse(event: dict, *, now=T0):
    body = json.dumps(event).encode()
    headers = {"stripe-signature": hmac_signature(STRIPE_WEBHOOK_SECRET, int(now.timestamp()), body)}
    return get_provider("stripe").parse_webhook(body=body, headers=headers, now=now)


def _session_event(event_type: str, **obj) -> dict:
    return {"id": "evt_1", "type": event_type, "data": {"object": {"id": "cs_test_9", **obj}}}


@pytest.fixture
def stripe_secret(settings, clock):
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET


@pytest.mark.usefixtures("stripe_secret")
@pytest.mark.parametrize(
    ("event_type", "obj", "outcome"),
    [
        (
            "checkout.session.completed",
            {"payment_status": "paid", "amount_total": 5001, "payment_intent": "pi_1"},
            "paid",
        ),
        ("checkout.session.completed", {"payment_status": "unpaid", "amount_total": 5001}, "ignored"),
        ("checkout.session.completed", {"payment_status": "no_payment_required", "amount_total": 0}, "ignored"),
        (
            "checkout.session.async_payment_succeeded",
            {"payment_status": "paid", "amount_total": 5001, "payment_intent": "pi_1"},
            "paid",
        ),
        ("checkout.session.async_payment_failed", {"payment_status": "unpaid"}, "declined"),
        ("checkout.session.expired", {"payment_status": "unpaid", "status": "expired"}, "abandoned"),
        ("checkout.session.async_payment_pending", {}, "ignored"),
    ],
)
def test_p4_checkout_session_events_map_to_outcomes(event_type, obj, outcome):
    event = _parse(_session_event(event_type, **obj))
    assert event.outcome == outcome
    assert event.event_id == "evt_1"
    assert event.event_type == event_type
    assert event.provider_session_id == "cs_test_9"
    if outcome == "paid":
        assert event.amount == Decimal("50.01")
        assert event.payment_ref == "pi_1"
    else:
        assert event.amount is None


@pytest.mark.usefixtures("stripe_secret")
def test_other_events_are_ignored():
    event = _parse({"id": "evt_2", "type": "charge.refunded", "data": {"object": {"id": "ch_1", "amount": 500}}})
    assert (event.outcome, event.event_id) == ("ignored", "evt_2")


@pytest.mark.usefixtures("stripe_secret")
@pytest.mark.parametrize(
    "event",
    [
        {"type": "checkout.session.completed", "data": {"object": {}}},  # no id
        {"id": "evt_3", "type": "checkout.session.completed"},  # no data
        {"id": "evt_3", "type": "checkout.session.completed", "data": {"object": "cs_1"}},
        ["not", "an", "event"],
        _session_event("checkout.session.completed", payment_status="paid", amount_total="50.01"),
        _session_event("checkout.session.completed", payment_status="paid", amount_total=50.01),
    ],
)
def test_malformed_events_are_invalid(event):
    with pytest.raises(InvalidWebhook):
        _parse(event)


def test_webhooks_are_refused_while_no_secret_is_configured(settings, clock):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = json.dumps(_session_event("checkout.session.expired")).encode()
    headers = {"Stripe-Signature": hmac_signature("", int(T0.timestamp()), body)}
    with pytest.raises(InvalidWebhook, match="not configured"):
        get_provider("stripe").parse_webhook(body=body, headers=headers, now=T0)

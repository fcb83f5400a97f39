"""P4, X5: a webhook is acted on only when its signature is right and fresh and it was not
delivered before. Every refusal is a 400 that changes nothing. Both online providers."""

import json
from datetime import timedelta

import pytest

from orders.models import Order
from payments.models import Payment, PaymentSession, WebhookDelivery, WebhookEvent
from payments.tests.conftest import T0, hmac_signature

pytestmark = pytest.mark.django_db


def assert_nothing_recorded(unpaid):
    assert not Payment.objects.exists()
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()
    unpaid.order.refresh_from_db()
    assert unpaid.order.amount_paid == 0
    assert unpaid.order.status == Order.Status.AWAITING_PAYMENT
    unpaid.session.refresh_from_db()
    assert unpaid.session.status == PaymentSession.Status.OPEN


def assert_refused(response):
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_webhook"


def test_p4_a_signed_paid_webhook_pays_the_order(unpaid, signer):
    response = signer.deliver(signer.paid(unpaid.session))

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "recorded"}
    payment = Payment.objects.get()
    assert (payment.provider, payment.amount, payment.method) == (signer.provider, unpaid.order.total, "online")
    unpaid.order.refresh_from_db()
    assert unpaid.order.status == Order.Status.PAID
    assert unpaid.order.amount_paid == unpaid.order.total
    unpaid.session.refresh_from_db()
    assert unpaid.session.status == PaymentSession.Status.PAID


def test_x5_a_wrong_signature_is_refused(unpaid, signer):
    body = signer.paid(unpaid.session)
    forged = hmac_signature("not-the-secret", int(T0.timestamp()), body)
    assert_refused(signer.deliver(body, signature=forged))
    assert_nothing_recorded(unpaid)


def test_x5_a_signature_of_another_body_is_refused(unpaid, signer):
    body = signer.paid(unpaid.session)
    signature = hmac_signature(signer.secret, int(T0.timestamp()), body)
    tampered = signer.paid(unpaid.session, cents=1)
    assert_refused(signer.deliver(tampered, signature=signature))
    assert_nothing_recorded(unpaid)


@pytest.mark.parametrize("signature", ["", "garbage", "t=,v1=abc", "v1=abc", "t=1772460000"])
def test_x5_a_missing_or_malformed_signature_is_refused(unpaid, signer, signature):
    assert_refused(signer.deliver(signer.paid(unpaid.session), signature=signature))
    assert_nothing_recorded(unpaid)


def test_x5_a_stale_timestamp_is_refused(unpaid, signer):
    stale = int((T0 - timedelta(seconds=301)).timestamp())
    assert_refused(signer.deliver(signer.paid(unpaid.session), timestamp=stale))
    assert_nothing_recorded(unpaid)


def test_a_timestamp_within_the_tolerance_is_accepted(unpaid, signer):
    late = int((T0 - timedelta(seconds=299)).timestamp())
    assert signer.deliver(signer.paid(unpaid.session), timestamp=late).status_code == 200
    assert Payment.objects.count() == 1


def test_x5_a_replayed_delivery_is_refused(unpaid, signer, clock):
    body = signer.paid(unpaid.session)
    signature = hmac_signature(signer.secret, int(T0.timestamp()), body)
    assert signer.deliver(body, signature=signature).status_code == 200

    clock.shift(timedelta(seconds=60))  # still fresh: refused as a replay, not as stale
    assert_refused(signer.deliver(body, signature=signature))

    assert Payment.objects.count() == 1
    assert WebhookEvent.objects.count() == 1
    assert WebhookDelivery.objects.count() == 1
    unpaid.order.refresh_from_db()
    assert unpaid.order.amount_paid == unpaid.order.total


def test_x5_a_replay_with_another_signature_appended_is_still_a_replay(unpaid, signer, clock):
    """Issue 15: the replay check keyed on the header's raw text, so `,v1=00` appended (or the
    parts reordered) made the same delivery look new. It keys on the verified signature."""
    body = signer.paid(unpaid.session)
    signature = hmac_signature(signer.secret, int(T0.timestamp()), body)
    assert signer.deliver(body, signature=signature).status_code == 200
    clock.shift(timedelta(seconds=60))
    timestamp, v1 = signature.split(",")
    for variant in (signature + ",v1=00", f"{v1},{timestamp}"):
        assert_refused(signer.deliver(body, signature=variant))
        assert "replay" in signer.deliver(body, signature=variant).json()["message"]
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.parametrize("digits", ["\u0661\u0662\u0663", "\u00b2\u00b3", "1" * 40])
def test_x5_a_timestamp_of_other_digits_is_refused_not_a_500(unpaid, signer, digits):
    """Arabic-Indic digits, superscripts and absurd lengths in t= are refused (400)."""
    body = signer.paid(unpaid.session)
    signature = hmac_signature(signer.secret, int(T0.timestamp()), body).replace(str(int(T0.timestamp())), digits)
    assert_refused(signer.deliver(body, signature=signature))
    assert_nothing_recorded(unpaid)


def test_x5_a_body_that_is_not_json_is_refused(unpaid, signer):
    assert_refused(signer.deliver(b"{not json"))
    assert_nothing_recorded(unpaid)


def test_an_unknown_provider_is_404(client, db):
    response = client.post("/api/v1/payments/webhooks/paypal", data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_provider"


def test_p4_an_event_for_an_unknown_session_is_kept_not_applied(unpaid, signer):
    body = json.loads(signer.paid(unpaid.session))
    if signer.provider == "stripe":
        body["data"]["object"]["id"] = "cs_test_elsewhere"
    else:
        body["data"]["session"] = "elsewhere"
    response = signer.deliver(json.dumps(body).encode())

    assert response.json() == {"status": "unknown_session"}
    assert WebhookEvent.objects.get().outcome == "unknown_session"
    assert not Payment.objects.exists()

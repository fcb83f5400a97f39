"""N6: one confirmation with a receipt per paid order, through the outbox (N1)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from catalog.models import Meeting
from notifications.models import Notification
from organizations.models import Permission
from organizations.tests.factories import make_staff
from payments.models import PaymentSession
from payments.selectors import household_payment
from payments.services import record_offline_payment
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET, T0, SandboxSigner, unpaid_order


@pytest.fixture(autouse=True)
def sandbox_settings(settings):
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def unpaid(db, clock):
    unpaid = unpaid_order(provider="sandbox", price="42.50")
    [line] = unpaid.order.lines.all()
    Meeting.objects.create(
        offering=line.offering, starts_at=T0 + timedelta(days=2), ends_at=T0 + timedelta(days=2, hours=1)
    )
    return unpaid


def receipts():
    return list(Notification.objects.filter(kind="registrant_receipt"))


def test_n6_a_paid_order_gets_one_receipt_even_when_the_webhook_comes_twice(unpaid):
    signer = SandboxSigner(Client())
    body = signer.paid(unpaid.session)
    assert signer.deliver(body).status_code == 200
    assert signer.deliver(signer.paid(unpaid.session, payment_ref="pay_sbx_other")).status_code == 200

    [receipt] = receipts()
    household = unpaid.order.household
    assert (receipt.to_email, receipt.key) == (household.email, f"receipt:{unpaid.order.pk}")
    text = receipt.body_text
    line = unpaid.order.lines.get()
    for words in (
        f"order {unpaid.order.number} is paid in full",
        line.description,
        f"Participant:  {line.participant.full_name}",
        "Starts:       Wednesday 4 March 2026",  # the first meeting, in the organization's time zone
        "Total:        $42.50",
        "Paid:         $42.50",
        "Balance:      $0.00",
        "Paid on:      Monday 2 March 2026",
    ):
        assert words in text, words


def test_n6_a_partial_payment_sends_no_receipt_and_the_one_that_completes_it_does(unpaid):
    cashier = make_staff(unpaid.order.organization, [Permission.TAKE_PAYMENTS])
    record_offline_payment(membership=cashier, order_id=unpaid.order.pk, amount=Decimal("20.00"), method="cash")
    assert receipts() == []
    record_offline_payment(membership=cashier, order_id=unpaid.order.pk, amount=Decimal("22.50"), method="cash")
    assert len(receipts()) == 1


def test_a_declined_payment_sends_no_receipt_and_its_outcome_shows_what_is_still_owed(unpaid):
    signer = SandboxSigner(Client())
    assert signer.deliver(signer.declined(unpaid.session)).status_code == 200
    assert receipts() == []
    outcome = household_payment(household=unpaid.order.household, session_id=unpaid.session.pk, now=T0)
    assert outcome.status == PaymentSession.Status.DECLINED
    assert [(share.order_id, share.amount) for share in outcome.plan_again] == [(unpaid.order.pk, Decimal("42.50"))]


def test_x1_another_households_payment_is_none(unpaid):
    from households.tests.factories import make_household

    stranger = make_household(unpaid.order.organization)
    assert household_payment(household=stranger, session_id=unpaid.session.pk, now=T0) is None


def test_n6_a_free_order_is_confirmed_at_checkout_with_its_receipt(db, clock):
    from carts.services import add_to_cart
    from carts.services.checkout import checkout
    from catalog.tests.factories import make_offering
    from households.tests.factories import make_household
    from organizations.tests.factories import make_organization

    org = make_organization()
    household = make_household(org)
    free = make_offering(org, name="Open gym", price="0.00")
    add_to_cart(
        household=household, offering_id=free.pk, participant_id=household.participants.get().pk, channel="portal"
    )
    order = checkout(household=household, channel="portal").order
    [receipt] = receipts()
    assert receipt.key == f"receipt:{order.pk}"
    assert f"order {order.number} is confirmed, with nothing to pay" in receipt.body_text
    assert checkout(household=household, channel="portal", cart_id=order.cart_id).created is False
    assert len(receipts()) == 1

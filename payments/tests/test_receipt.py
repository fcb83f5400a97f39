"""N6: one confirmation with a receipt per paid order, through the outbox (N1)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.models import Meeting
from catalog.tests.factories import make_offering
from households.tests.factories import make_participant
from notifications.models import Notification
from organizations.models import Permission
from organizations.tests.factories import make_staff
from payments.desk import record_offline_payment
from payments.models import PaymentSession
from payments.selectors import household_payment
from payments.services import start_online_payment
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET, T0, SandboxSigner, unpaid_order
from registrations.models import Registration
from registrations.services import apply_grace_policies, restore_registration


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


def test_p4_n6_a_late_payments_receipt_and_order_pages_mark_the_places_deleted_before_it(db, clock):
    """The grace policy deleted both registrations of an unpaid order; the office restored one
    (P7); then the payment for the whole order arrived (P4). The order's total still counts
    the deleted place and the payment paid it: the receipt and the order's pages say which
    place that is, and that the office re-enrols or refunds it."""

    unpaid = unpaid_order(provider="sandbox", price="30.00")
    order, household = unpaid.order, unpaid.order.household
    organization = order.organization
    # The order of the test: two places, on two lines.
    from carts.services import add_to_cart
    from carts.services.checkout import checkout
    from catalog.tests.factories import make_offering

    second_kid = make_participant(household, first_name="Ada")
    swim = make_offering(organization, capacity=5, price="20.00", name="Swim")
    art = make_offering(organization, capacity=5, price="15.00", name="Art")
    for offering, kid in ((swim, household.participants.first()), (art, second_kid)):
        add_to_cart(household=household, offering_id=offering.pk, participant_id=kid.pk, channel="portal")
    two = checkout(household=household, channel="portal")
    session = start_online_payment(household=household, plan=list(two.payment_plan), return_url="http://t/")
    organization.grace_period_hours = 1
    organization.save(update_fields=["grace_period_hours"])
    clock.shift(timedelta(hours=3))
    apply_grace_policies()
    swim_registration, _art = Registration.objects.filter(order=two.order).order_by("pk")
    assert Registration.objects.filter(order=two.order, deleted_at__isnull=False).count() == 2
    restore_registration(
        membership=make_staff(organization, [Permission.DELETE_ENROLLMENTS]), registration_id=swim_registration.pk
    )

    signer = SandboxSigner(Client())
    assert signer.deliver(signer.paid(session)).status_code == 200

    receipt = Notification.objects.get(kind="registrant_receipt", key=f"receipt:{two.order.pk}")
    text = receipt.body_text
    swim_line, art_line = two.order.lines.order_by("pk")
    # The totals are the order's: both places were paid for, nothing is owed.
    for words in ("Total:        $35.00", "Paid:         $35.00", "Balance:      $0.00"):
        assert words in text, words
    assert "1 of the places on this order had been released before your payment arrived" in text
    assert "Your payment covered them too ($15.00)" in text
    marked = "REMOVED before your payment arrived: paid, to be re-enrolled or refunded by the office"
    assert text.count(marked) == 1
    assert text.index(art_line.description) < text.index(marked)  # under the art line, the deleted one
    assert text.index(swim_line.description) < text.index(art_line.description)
    assert "Removed before your payment arrived" in receipt.body_html

    page = Client()
    page.force_login(household.payer)
    for path in (
        f"/o/{organization.slug}/account/orders/{two.order.pk}/pay/",
        f"/o/{organization.slug}/checkout/return/?payment={session.pk}",
    ):
        html = page.get(path).content.decode()
        assert html.count("Released before your payment arrived. You paid for it") == 1, path
        assert html.index("Art") < html.index("Released before your payment arrived"), path

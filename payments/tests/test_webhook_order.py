"""P4: providers report asynchronously, more than once and in any order. Every event is
applied at most once, money is never dropped, and a paid session stays paid."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from capacity.models import Claim
from notifications.models import Notification
from orders.models import Order
from organizations.models import Permission
from organizations.tests.factories import make_staff
from payments.models import Payment, PaymentAllocation, PaymentSession, StaffAlert, WebhookEvent
from registrations.models import Registration
from registrations.services import delete_registration

pytestmark = pytest.mark.django_db


def assert_paid_once(unpaid):
    payment = Payment.objects.get()
    assert payment.session_id == unpaid.session.pk
    assert payment.amount == unpaid.order.total
    assert [(a.order_id, a.amount) for a in PaymentAllocation.objects.all()] == [(unpaid.order.pk, unpaid.order.total)]
    unpaid.order.refresh_from_db()
    assert unpaid.order.amount_paid == unpaid.order.total
    assert unpaid.order.status == Order.Status.PAID
    unpaid.session.refresh_from_db()
    assert unpaid.session.status == PaymentSession.Status.PAID
    return payment


def test_p4_the_same_event_redelivered_records_one_payment(unpaid, signer, clock):
    body = signer.paid(unpaid.session, event_id="evt_same")
    assert signer.deliver(body).json() == {"status": "recorded"}

    clock.shift(90)  # the provider retries later: new timestamp, new signature, same event
    assert signer.deliver(body).json() == {"status": "duplicate"}

    assert_paid_once(unpaid)
    assert WebhookEvent.objects.count() == 1
    registration = Registration.objects.get(order=unpaid.order)
    assert registration.claim.state == Claim.State.CONFIRMED


def test_p4_two_events_for_the_same_money_record_one_payment(unpaid, signer, clock):
    # e.g. Stripe's checkout.session.completed and a later event naming the same payment intent
    assert signer.deliver(signer.paid(unpaid.session, event_id="evt_a", payment_ref="ref_1")).status_code == 200
    clock.shift(5)
    assert signer.deliver(signer.paid(unpaid.session, event_id="evt_b", payment_ref="ref_1")).json() == {
        "status": "duplicate"
    }
    assert_paid_once(unpaid)
    assert WebhookEvent.objects.count() == 2


@pytest.mark.parametrize("first", ["declined", "abandoned"])
def test_p4_paid_after_declined_or_abandoned_still_records_the_payment(unpaid, signer, clock, first):
    assert signer.deliver(getattr(signer, first)(unpaid.session)).json() == {"status": first}
    unpaid.session.refresh_from_db()
    assert unpaid.session.status == first

    clock.shift(600)  # long after the 5-minute "pending" window
    assert signer.deliver(signer.paid(unpaid.session)).json() == {"status": "recorded"}

    assert_paid_once(unpaid)


@pytest.mark.parametrize("late", ["declined", "abandoned"])
def test_p4_declined_or_abandoned_after_paid_leaves_it_paid(unpaid, signer, clock, late):
    signer.deliver(signer.paid(unpaid.session))
    clock.shift(30)
    assert signer.deliver(getattr(signer, late)(unpaid.session)).json() == {"status": late}

    assert_paid_once(unpaid)
    assert not AuditEvent.objects.filter(verb=f"payment.{late}").exists()


def test_p4_a_payment_for_a_deleted_registration_is_recorded_and_staff_alerted(unpaid, signer, clock):
    registration = Registration.objects.get(order=unpaid.order)
    staff = make_staff(unpaid.order.organization, permissions=[Permission.DELETE_ENROLLMENTS])
    delete_registration(membership=staff, registration_id=registration.pk)
    clock.shift(3600)

    response = signer.deliver(signer.paid(unpaid.session))

    assert response.json() == {"status": "recorded"}
    payment = assert_paid_once(unpaid)
    alert = StaffAlert.objects.get()
    assert (alert.kind, alert.payment_id, alert.order_id) == (StaffAlert.Kind.LATE_PAYMENT, payment.pk, unpaid.order.pk)
    assert alert.resolved_at is None
    # The seat stays freed: paying does not silently re-enroll a deleted registration.
    registration.refresh_from_db()
    assert registration.deleted_at is not None
    assert registration.claim.state != Claim.State.CONFIRMED
    assert Notification.objects.filter(key=f"staff_alert:{alert.pk}", to_email="office@parks.test").exists()


def test_b5_the_amount_reported_is_recorded_exactly(unpaid, signer):
    # Less than the order's total arrived (say the provider applied a coupon): recorded as is.
    signer.deliver(signer.paid(unpaid.session, cents=4999))

    payment = Payment.objects.get()
    assert payment.amount == Decimal("49.99")
    unpaid.order.refresh_from_db()
    assert unpaid.order.amount_paid == Decimal("49.99")
    assert unpaid.order.balance == Decimal("0.01")
    assert unpaid.order.status == Order.Status.AWAITING_PAYMENT


def test_b5_a_payment_larger_than_the_balance_is_kept_as_credit_and_staff_are_told_so(unpaid, signer):
    # The provider reports 60.00 for a 50.00 order: all of it is recorded, 10.00 as credit.
    signer.deliver(signer.paid(unpaid.session, cents=6000))

    payment = Payment.objects.get()
    assert payment.amount == Decimal("60.00")
    unpaid.order.refresh_from_db()
    assert (unpaid.order.status, unpaid.order.balance) == (Order.Status.PAID, Decimal("0.00"))
    assert PaymentAllocation.objects.get(payment=payment, order=None).amount == Decimal("10.00")
    alert = StaffAlert.objects.get()
    assert (alert.kind, alert.payment_id, alert.order_id) == (StaffAlert.Kind.OVERPAYMENT, payment.pk, None)
    email = Notification.objects.get(key=f"staff_alert:{alert.pk}")
    assert (email.kind, email.to_email) == ("staff_overpayment", "office@parks.test")
    assert email.subject == f"Payment larger than the balance: {unpaid.order.household.name}, $10.00 kept as credit"
    assert "Amount paid:     $60.00" in email.body_text
    assert f"Paid toward:     {unpaid.order.number}" in email.body_text
    assert "Kept as credit:  $10.00" in email.body_text
    assert "deleted registration" not in email.body_text + email.body_html

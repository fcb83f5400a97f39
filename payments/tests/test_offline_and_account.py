from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from attendance.tests.factories import make_instructor
from audit.models import AuditEvent
from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from orders.errors import OrderNotFound
from orders.models import Order
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from payments.desk import put_on_account, record_offline_payment
from payments.errors import InvalidPayment
from payments.models import Payment
from registrations.models import Registration
from registrations.selectors import payment_status
from registrations.services import apply_grace_policies

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def paid_order(org, price="80.00"):
    household = make_household(org)
    with time_machine.travel(T0, tick=False):
        add_to_cart(
            household=household,
            offering_id=make_offering(org, price=price).pk,
            participant_id=household.participants.first().pk,
            channel="portal",
        )
        return checkout(household=household, channel="portal").order


def state(order, now):
    registration = Registration.objects.select_related("order").get(order=order)
    return payment_status(registration, order.organization, now).state


def test_p5_an_offline_payment_over_the_balance_is_refused_in_money_words(db):
    """The walk-up sale's payment step shows this refusal beside the amount: dollars, as the
    page around it says them."""
    org = make_organization()
    order = paid_order(org, price="166.00")
    cashier = make_staff(org, [Permission.TAKE_PAYMENTS])
    with pytest.raises(InvalidPayment) as refused:
        record_offline_payment(membership=cashier, order_id=order.pk, amount=Decimal("200"), method="cash")
    assert str(refused.value) == f"$200.00 is more than the balance of $166.00 on order {order.number}."


def test_p5_offline_payment_moves_the_payment_state(db):
    org = make_organization()
    order = paid_order(org)
    cashier = make_staff(org, [Permission.TAKE_PAYMENTS])
    assert state(order, T0 + timedelta(minutes=4)) == "incomplete_or_pending"
    assert state(order, T0 + timedelta(minutes=5)) == "payment_incomplete"
    record_offline_payment(membership=cashier, order_id=order.pk, amount=Decimal("30.00"), method="cash")
    order.refresh_from_db()
    assert (order.balance, state(order, T0 + timedelta(hours=1))) == (Decimal("50.00"), "partially_paid")
    record_offline_payment(membership=cashier, order_id=order.pk, amount=Decimal("50.00"), method="card_phone")
    order.refresh_from_db()
    assert (order.balance, order.status, state(order, T0 + timedelta(hours=1))) == (
        Decimal("0"),
        "paid",
        "paid_in_full",
    )
    assert Registration.objects.get(order=order).claim.state == "confirmed"
    assert AuditEvent.objects.filter(verb="payment.recorded", actor_id=cashier.user_id).count() == 2


def test_p5_refusals_change_nothing(db):
    org = make_organization()
    order = paid_order(org)
    cashier = make_staff(org, [Permission.TAKE_PAYMENTS])
    with pytest.raises(InvalidPayment, match="more than the balance"):
        record_offline_payment(membership=cashier, order_id=order.pk, amount=Decimal("80.01"), method="cash")
    with pytest.raises(InvalidPayment, match="Method"):
        record_offline_payment(membership=cashier, order_id=order.pk, amount=Decimal("1.00"), method="bitcoin")
    with pytest.raises(InvalidPayment, match="whole cents"):
        record_offline_payment(membership=cashier, order_id=order.pk, amount=Decimal("1.001"), method="cash")
    with pytest.raises(PermissionDenied):
        record_offline_payment(
            membership=make_staff(org, [Permission.ENROLL]), order_id=order.pk, amount=Decimal("1"), method="cash"
        )
    with pytest.raises(Exception, match="No such order"):
        record_offline_payment(
            membership=make_staff(make_organization()), order_id=order.pk, amount=Decimal("1"), method="cash"
        )
    assert not Payment.objects.exists()


def test_p5_double_submit_with_one_reference_records_one_payment(db):
    org = make_organization()
    order = paid_order(org)
    cashier = make_staff(org, [Permission.TAKE_PAYMENTS])
    first = record_offline_payment(
        membership=cashier, order_id=order.pk, amount=Decimal("80.00"), method="cash", reference="R-1001"
    )
    again = record_offline_payment(
        membership=cashier, order_id=order.pk, amount=Decimal("80.00"), method="cash", reference="R-1001"
    )
    assert (first.created, again.created, first.payment.pk) == (True, False, again.payment.pk)
    order.refresh_from_db()
    assert order.amount_paid == Decimal("80.00")


def test_b1_instructor_orders_on_account_are_payable_online_and_never_auto_deleted(db):
    org = make_organization(grace_period_hours=1)
    order = paid_order(org)
    instructor = make_instructor(org, order.lines.get().offering)  # a registration in their class
    put_on_account(membership=instructor, order_id=order.pk, payable_online=False, customer_note="Pay before week 2")
    order.refresh_from_db()
    assert (order.on_account, order.payable_online, order.payment_required) == (True, True, False)
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        apply_grace_policies()
    assert Registration.objects.get(order=order).deleted_at is None


def test_b1_a4_an_instructor_puts_on_account_only_orders_of_the_classes_they_teach(db):
    """Issue 15: the instructor role could put ANY order on account (and so stop the grace
    policy from deleting it), then any order it had made. Now only an order with a line of a
    class assigned to them (A4); another one, even one they made, is the same 404 as one that
    does not exist."""
    org = make_organization()
    order = paid_order(org)
    unassigned = make_staff(org, [Permission.TEACH])
    Order.objects.filter(pk=order.pk).update(created_by=unassigned.user)  # made it, does not teach it
    colleague = make_instructor(org, make_offering(org, code="OTHER"))
    for instructor in (unassigned, colleague):
        with pytest.raises(OrderNotFound):
            put_on_account(membership=instructor, order_id=order.pk, payable_online=True)
    teacher = make_instructor(org, order.lines.get().offering)
    with pytest.raises(OrderNotFound):
        put_on_account(membership=teacher, order_id=order.pk + 1000, payable_online=True)
    order.refresh_from_db()
    assert (order.on_account, order.payment_required) == (False, True)
    put_on_account(membership=teacher, order_id=order.pk, payable_online=True)
    order.refresh_from_db()
    assert (order.on_account, order.payable_online, order.payment_required) == (True, True, False)


def test_b1_box_office_chooses_whether_online_payment_is_allowed(db):
    org = make_organization()
    order = paid_order(org)
    put_on_account(membership=make_staff(org, [Permission.TAKE_PAYMENTS]), order_id=order.pk, payable_online=False)
    order.refresh_from_db()
    assert (order.on_account, order.payable_online) == (True, False)
    with pytest.raises(PermissionDenied):
        put_on_account(membership=make_staff(org, [Permission.ENROLL]), order_id=order.pk, payable_online=True)

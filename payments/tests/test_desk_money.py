"""Money at the office desk (issue 13, item 5): one payment toward several orders (P5), credit
kept from an overpayment and spent by the next checkout or refunded (B6), a pay link (P7), a
registration deleted with a reason and restored while its seat is free (P6, P7)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from capacity.errors import CapacityShortfall
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from notifications.models import Notification
from orders.models import Order
from orders.paylink import order_id_from_token, pay_token
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from payments.checkout import checkout_and_request_payment
from payments.credit import household_credit, refund_credit
from payments.desk import record_desk_payment, send_pay_link
from payments.errors import InvalidPayment
from payments.models import Payment, Refund
from registrations.models import Registration
from registrations.services import delete_registration, restore_registration

D = Decimal


def order_for(household, offering, participant=None):
    add_to_cart(
        household=household,
        offering_id=offering.pk,
        participant_id=(participant or household.participants.first()).pk,
        channel="portal",
    )
    return checkout_and_request_payment(
        household=household, channel="office", actor_id=None, cart_id=None, return_url=""
    ).order


def overpaid_order(desk, *, price, paid):
    """B6: an order of `price` paid `paid` in cash at the desk, the rest kept as credit."""
    org, household, cashier = desk
    order = order_for(household, make_offering(org, price=price))
    record_desk_payment(
        membership=cashier,
        household_id=household.pk,
        order_ids=[order.pk],
        amount=D(paid),
        method="cash",
        keep_credit=True,
    )
    return order


@pytest.fixture
def desk(db):
    org = make_organization(payment_provider="sandbox")
    household = make_household(org, children=2)
    cashier = make_staff(org, [Permission.TAKE_PAYMENTS, Permission.ENROLL, Permission.DELETE_ENROLLMENTS])
    return org, household, cashier


def test_p5_one_desk_payment_pays_several_orders_of_a_household(desk):
    org, household, cashier = desk
    first = order_for(household, make_offering(org, price="40.00"))
    second = order_for(household, make_offering(org, price="25.00"))
    recorded = record_desk_payment(
        membership=cashier,
        household_id=household.pk,
        order_ids=[first.pk, second.pk],
        amount=D("65.00"),
        method="card_terminal",
    )
    assert recorded.created
    assert [Order.objects.get(pk=o.pk).status for o in (first, second)] == ["paid", "paid"]
    assert set(Registration.objects.filter(household=household).values_list("claim__state", flat=True)) == {"confirmed"}
    assert AuditEvent.objects.filter(verb="payment.recorded", actor_id=cashier.user_id).count() == 1


def test_p5_more_than_owed_is_refused_unless_kept_as_credit(desk):
    org, household, cashier = desk
    order = order_for(household, make_offering(org, price="40.00"))
    with pytest.raises(InvalidPayment, match=r"more than the \$40\.00"):
        record_desk_payment(
            membership=cashier, household_id=household.pk, order_ids=[order.pk], amount=D("50.00"), method="cash"
        )
    record_desk_payment(
        membership=cashier,
        household_id=household.pk,
        order_ids=[order.pk],
        amount=D("50.00"),
        method="cash",
        keep_credit=True,
    )
    assert household_credit(household_id=household.pk) == D("10.00")


def test_p5_a_double_submit_records_one_payment(desk):
    org, household, cashier = desk
    order = order_for(household, make_offering(org, price="40.00"))
    for _ in range(2):
        record_desk_payment(
            membership=cashier,
            household_id=household.pk,
            order_ids=[order.pk],
            amount=D("20.00"),
            method="cheque",
            reference="form-key-1",
        )
    assert Payment.objects.filter(household=household).count() == 1


def test_x1_a_desk_payment_never_touches_another_households_order(desk):
    org, household, cashier = desk
    other = make_household(org)
    order = order_for(other, make_offering(org, price="40.00"))
    with pytest.raises(Exception, match="order"):
        record_desk_payment(
            membership=cashier, household_id=household.pk, order_ids=[order.pk], amount=D("5.00"), method="cash"
        )
    assert Order.objects.get(pk=order.pk).amount_paid == 0


def test_b6_credit_pays_the_next_checkout_first(desk):
    org, household, _cashier = desk
    overpaid_order(desk, price="40.00", paid="55.00")
    assert household_credit(household_id=household.pk) == D("15.00")
    second = order_for(household, make_offering(org, price="25.00"))
    second.refresh_from_db()
    assert (second.amount_paid, second.balance) == (D("15.00"), D("10.00"))
    assert household_credit(household_id=household.pk) == D("0")
    third = order_for(household, make_offering(org, price="5.00"))
    assert Order.objects.get(pk=third.pk).amount_paid == 0  # nothing left to spend


def test_b6_credit_larger_than_the_order_pays_it_in_full_and_the_rest_stays(desk):
    org, household, _cashier = desk
    overpaid_order(desk, price="10.00", paid="60.00")
    second = order_for(household, make_offering(org, price="20.00"))
    assert Order.objects.get(pk=second.pk).status == "paid"
    assert Registration.objects.get(order=second).claim.state == "confirmed"
    assert household_credit(household_id=household.pk) == D("30.00")


def test_b6_credit_refunded_at_the_desk_is_gone_and_recorded(desk):
    _org, household, cashier = desk
    overpaid_order(desk, price="10.00", paid="30.00")
    with pytest.raises(InvalidPayment, match=r"more than the household's credit of \$20\.00"):
        refund_credit(membership=cashier, household_id=household.pk, amount=D("20.01"), method="cash")
    refund = refund_credit(membership=cashier, household_id=household.pk, amount=D("20.00"), method="cash")
    assert (refund.status, household_credit(household_id=household.pk)) == ("done", D("0"))
    assert AuditEvent.objects.filter(verb="refund.recorded", subject_id=refund.pk).exists()


def test_b6_credit_from_an_online_payment_is_refunded_through_the_sandbox(desk):
    org, household, cashier = desk
    online = Payment.objects.create(
        organization=org,
        household=household,
        provider="sandbox",
        provider_ref="sbx_pay_1",
        method="online",
        amount=D("12.00"),
        received_at=timezone.now(),
        created_at=timezone.now(),
    )
    online.allocations.create(order=None, amount=D("12.00"))
    refund = refund_credit(membership=cashier, household_id=household.pk, amount=D("12.00"), method="provider")
    assert (refund.status, refund.payment_id, refund.provider_ref.startswith("sbx_re_")) == ("done", online.pk, True)
    assert household_credit(household_id=household.pk) == D("0")


def test_b6_provider_refund_without_an_online_payment_is_refused(desk):
    _org, household, cashier = desk
    overpaid_order(desk, price="10.00", paid="15.00")
    with pytest.raises(InvalidPayment, match="record the money handed back"):
        refund_credit(membership=cashier, household_id=household.pk, amount=D("5.00"), method="provider")
    assert not Refund.objects.exists()


def test_p7_a_pay_link_is_emailed_and_names_the_order(desk):
    org, household, cashier = desk
    order = order_for(household, make_offering(org, price="40.00"))
    link = send_pay_link(membership=cashier, order_id=order.pk)
    email = Notification.objects.get(kind="registrant_pay_link")
    assert email.to_email == household.email
    assert link in email.body_text
    assert "40.00" in email.body_text
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert order_id_from_token(token) == (order.pk, org.pk)
    assert order_id_from_token(token[:-2] + "xx") is None


def test_p7_the_pay_link_page_sends_the_payer_to_the_provider(desk, client, settings):
    settings.SANDBOX_WEBHOOK_SECRET = "whsec_test"
    org, household, _cashier = desk
    order = order_for(household, make_offering(org, price="40.00"))
    page = client.get(f"/pay/order/{pay_token(order)}/")
    assert page.status_code == 200
    assert "Pay $40.00 online" in page.content.decode()
    answer = client.post(f"/pay/order/{pay_token(order)}/")
    assert answer.status_code == 302
    assert "/pay/sandbox/" in answer["Location"]
    assert client.get("/pay/order/not-a-token/").status_code == 404


def test_p7_instructors_cannot_send_a_pay_link(desk):
    org, household, _ = desk
    order = order_for(household, make_offering(org, price="40.00"))
    with pytest.raises(PermissionDenied):
        send_pay_link(membership=make_staff(org, [Permission.TEACH]), order_id=order.pk)


def test_p6_p7_deleted_with_a_reason_then_restored_while_the_seat_is_free(desk):
    org, household, cashier = desk
    offering = make_offering(org, price="40.00", capacity=1)
    order = order_for(household, offering)
    registration = Registration.objects.get(order=order)
    delete_registration(membership=cashier, registration_id=registration.pk, note="Family moved away")
    registration.refresh_from_db()
    assert (registration.deleted_note, registration.claim.state) == ("Family moved away", "cancelled")
    restore_registration(membership=cashier, registration_id=registration.pk)
    registration.refresh_from_db()
    assert (registration.deleted_at, registration.claim.state) == (None, "tentative")
    assert AuditEvent.objects.filter(verb="registration.restored", subject_id=registration.pk).exists()


def test_p7_a_deleted_registration_whose_seat_was_taken_cannot_be_restored(desk):
    org, household, cashier = desk
    offering = make_offering(org, price="40.00", capacity=1)
    order = order_for(household, offering)
    registration = Registration.objects.get(order=order)
    delete_registration(membership=cashier, registration_id=registration.pk, note="No payment")
    order_for(make_household(org), offering)  # someone else takes the seat
    with pytest.raises(CapacityShortfall):
        restore_registration(membership=cashier, registration_id=registration.pk)
    registration.refresh_from_db()
    assert registration.deleted_at is not None


def test_p7_a_restored_registration_of_a_paid_order_is_confirmed(desk):
    org, household, cashier = desk
    order = order_for(household, make_offering(org, price="40.00"))
    registration = Registration.objects.get(order=order)
    delete_registration(membership=cashier, registration_id=registration.pk)
    record_desk_payment(
        membership=cashier, household_id=household.pk, order_ids=[order.pk], amount=D("40.00"), method="cash"
    )
    restore_registration(membership=cashier, registration_id=registration.pk)
    registration.refresh_from_db()
    assert registration.claim.state == "confirmed"

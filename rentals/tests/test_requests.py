"""S6: a rental that requires approval is a request holding its time until staff decide."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from audit.models import AuditEvent
from capacity.errors import CapacityShortfall
from capacity.fairshare import UnpaidLimitReached
from capacity.models import Claim
from capacity.selectors import availability
from carts import errors as cart_errors
from carts.services import add_rental_to_cart, office_add_rental_to_cart
from catalog.tests.factories import make_facility_with_slots
from households.tests.factories import make_household
from notifications.models import Notification
from orders.models import Order
from orders.selectors import payable_balances
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from registrations.models import Registration
from rentals import services
from rentals.errors import ApprovalNotRequired, RentalRequestDecided, RentalRequestLapsed, RentalRequestNotFound
from rentals.models import RentalRequest

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def hall(org):
    org.admin_email = "office@parks.test"
    org.pay_balances_online = True
    org.save()
    facility, slots = make_facility_with_slots(org, first_slot=T0 + timedelta(days=3), slots=3, price="30.00")
    facility.requires_approval = True
    facility.save()
    return facility, slots


def ask(household, hall, slots=2, **kwargs):
    facility, offerings = hall
    return services.request_rental(
        household=household,
        facility_id=facility.pk,
        starts_at=offerings[0].starts_at,
        ends_at=offerings[slots - 1].ends_at,
        channel="portal",
        **kwargs,
    )


def taken(offerings):
    live = availability(offerings=[(o.pk, o.capacity) for o in offerings], now=T0)
    return [live[o.pk].taken for o in offerings]


@time_machine.travel(T0, tick=False)
def test_s6_a_portal_booking_becomes_a_request_that_holds_its_time(org, hall):
    family, other = make_household(org), make_household(org)
    request = ask(family, hall, note="Birthday party")
    assert request.status == RentalRequest.Status.PENDING
    assert request.total == Decimal("60.00")
    assert taken(hall[1]) == [1, 1, 0]
    with pytest.raises(CapacityShortfall):
        ask(other, hall)  # the held time is nobody else's, by request or by cart
    with pytest.raises(cart_errors.ApprovalRequired):
        add_rental_to_cart(
            household=other,
            facility_id=hall[0].pk,
            starts_at=hall[1][2].starts_at,
            ends_at=hall[1][2].ends_at,
            channel="portal",
        )
    office = Notification.objects.get(kind="rental_requested")
    assert office.to_email == "office@parks.test"
    assert "Birthday party" in office.body_text
    assert AuditEvent.objects.filter(verb="rental_request.created", subject_id=request.pk).exists()


@time_machine.travel(T0, tick=False)
def test_s6_approval_invoices_the_order_on_account_payable_online(org, hall):
    family = make_household(org)
    request = ask(family, hall)
    staff = make_staff(org, [Permission.ENROLL])
    services.approve_request(membership=staff, request_id=request.pk, note="Keys at the front desk.")
    request.refresh_from_db()
    order = request.order
    assert request.status == RentalRequest.Status.APPROVED
    assert (order.total, order.on_account, order.payable_online, order.payment_required) == (
        Decimal("60.00"),
        True,
        True,
        False,
    )
    assert payable_balances(household=family) == [order]
    assert set(Registration.objects.filter(order=order).values_list("claim__state", flat=True)) == {"tentative"}
    assert taken(hall[1]) == [1, 1, 0]
    told = Notification.objects.get(kind="rental_approved")
    assert told.to_email == family.email
    assert "pay it online" in told.body_text
    assert "Keys" in told.body_text
    with pytest.raises(RentalRequestDecided):
        services.decline_request(membership=staff, request_id=request.pk)


@time_machine.travel(T0, tick=False)
def test_s6_decline_releases_the_time_and_tells_the_customer(org, hall):
    family = make_household(org)
    request = ask(family, hall)
    staff = make_staff(org, [Permission.ENROLL])
    services.decline_request(membership=staff, request_id=request.pk, reason="The hall is closed for painting.")
    assert taken(hall[1]) == [0, 0, 0]
    assert not Order.objects.exists()
    told = Notification.objects.get(kind="rental_declined")
    assert told.to_email == family.email
    assert "painting" in told.body_text
    assert ask(make_household(org), hall).status == "pending"  # free again for anyone


def test_s6_an_undecided_request_lapses_when_its_time_starts(org, hall):
    with time_machine.travel(T0, tick=False):
        request = ask(make_household(org), hall)
    with time_machine.travel(hall[1][0].starts_at, tick=False):
        live = availability(offerings=[(o.pk, o.capacity) for o in hall[1]], now=hall[1][0].starts_at)
        assert [live[o.pk].taken for o in hall[1]] == [0, 0, 0]
        with pytest.raises(RentalRequestLapsed):
            services.approve_request(membership=make_staff(org), request_id=request.pk)


@time_machine.travel(T0, tick=False)
def test_s6_the_customer_withdraws_a_waiting_request(org, hall):
    family = make_household(org)
    request = ask(family, hall)
    services.withdraw_request(household=family, request_id=request.pk, channel="portal", actor_id=None)
    assert taken(hall[1]) == [0, 0, 0]
    assert Claim.objects.get(pk=request.claims.first().pk).end_reason == "request_withdrawn"
    with pytest.raises(RentalRequestNotFound):
        services.withdraw_request(household=make_household(org), request_id=request.pk, channel="portal", actor_id=None)


@time_machine.travel(T0, tick=False)
def test_s6_staff_of_another_organization_or_without_enroll_cannot_decide(org, hall):
    request = ask(make_household(org), hall)
    with pytest.raises(RentalRequestNotFound):
        services.approve_request(membership=make_staff(make_organization()), request_id=request.pk)
    with pytest.raises(PermissionDenied):
        services.decline_request(membership=make_staff(org, [Permission.TEACH]), request_id=request.pk)


@time_machine.travel(T0, tick=False)
def test_s6_a_facility_without_approval_is_booked_through_the_cart(org):
    facility, slots = make_facility_with_slots(org, first_slot=T0 + timedelta(days=1), slots=1)
    with pytest.raises(ApprovalNotRequired):
        services.request_rental(
            household=make_household(org),
            facility_id=facility.pk,
            starts_at=slots[0].starts_at,
            ends_at=slots[0].ends_at,
            channel="portal",
        )


@time_machine.travel(T0, tick=False)
def test_s6_staff_book_an_approval_facility_directly(org, hall):
    result = add_rental_to_cart(
        household=make_household(org),
        facility_id=hall[0].pk,
        starts_at=hall[1][0].starts_at,
        ends_at=hall[1][0].ends_at,
        channel="office",
    )
    assert result.cart is not None


@time_machine.travel(T0, tick=False)
def test_x6_a_request_over_the_households_unpaid_limit_is_refused_and_holds_nothing(org, hall):
    org.max_unpaid_seats_per_household = 1
    org.save()
    family = make_household(org)
    with pytest.raises(UnpaidLimitReached) as refused:
        ask(family, hall, slots=2)  # two slots held unpaid: over a share of one
    assert refused.value.code == "household_unpaid_limit"
    assert taken(hall[1]) == [0, 0, 0]
    assert not RentalRequest.objects.exists()
    ask(family, hall, slots=1)  # one slot fits the share
    with pytest.raises(UnpaidLimitReached):  # and it counts: a second request is over it
        services.request_rental(
            household=family,
            facility_id=hall[0].pk,
            starts_at=hall[1][2].starts_at,
            ends_at=hall[1][2].ends_at,
            channel="portal",
        )


@time_machine.travel(T0, tick=False)
def test_x6_c6_the_desk_books_past_the_share_with_the_override_and_a_reason(org, hall):
    org.max_unpaid_seats_per_household = 1
    org.save()
    family = make_household(org)
    ask(family, hall, slots=1)
    desk = make_staff(org, [Permission.ENROLL])
    with pytest.raises(UnpaidLimitReached):  # the desk without the override is held to the share too
        office_add_rental_to_cart(
            membership=desk,
            household=family,
            facility_id=hall[0].pk,
            starts_at=hall[1][1].starts_at,
            ends_at=hall[1][2].ends_at,
        )
    manager = make_staff(org, [Permission.ENROLL, Permission.OVERRIDE_CAPACITY])
    result = office_add_rental_to_cart(
        membership=manager,
        household=family,
        facility_id=hall[0].pk,
        starts_at=hall[1][1].starts_at,
        ends_at=hall[1][2].ends_at,
        override_reason="Tournament weekend, agreed by the director",
    )
    assert [c.override_reason for c in result.claims] == ["Tournament weekend, agreed by the director"] * 2
    assert taken(hall[1]) == [1, 1, 1]


@time_machine.travel(T0, tick=False)
def test_n6_approving_a_free_rental_sends_its_receipt_once(org):
    facility, slots = make_facility_with_slots(org, first_slot=T0 + timedelta(days=3), slots=2, price="0.00")
    facility.requires_approval = True
    facility.save()
    family = make_household(org)
    request = ask(family, (facility, slots))
    staff = make_staff(org, [Permission.ENROLL])
    services.approve_request(membership=staff, request_id=request.pk)
    request.refresh_from_db()
    assert request.order.total == 0
    assert set(Registration.objects.filter(order=request.order).values_list("claim__state", flat=True)) == {"confirmed"}
    receipts = Notification.objects.filter(kind="registrant_receipt")
    assert [(n.to_email, n.key) for n in receipts] == [(family.email, f"receipt:{request.order.pk}")]
    assert facility.name in receipts[0].body_text
    with pytest.raises(RentalRequestDecided):  # a second approval sends nothing more
        services.approve_request(membership=staff, request_id=request.pk)
    assert Notification.objects.filter(kind="registrant_receipt").count() == 1


@time_machine.travel(T0, tick=False)
def test_n6_approving_a_paid_rental_sends_no_receipt_before_payment(org, hall):
    request = ask(make_household(org), hall)
    services.approve_request(membership=make_staff(org, [Permission.ENROLL]), request_id=request.pk)
    assert not Notification.objects.filter(kind="registrant_receipt").exists()

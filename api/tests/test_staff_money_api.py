"""The staff API of money at the desk (issue 13, item 5): the same services as the office pages."""

from decimal import Decimal

from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from notifications.models import Notification
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from payments.checkout import checkout_and_request_payment
from registrations.models import Registration


def order_for(household, offering):
    add_to_cart(
        household=household,
        offering_id=offering.pk,
        participant_id=household.participants.first().pk,
        channel="portal",
    )
    return checkout_and_request_payment(
        household=household, channel="office", actor_id=None, cart_id=None, return_url=""
    ).order


def test_p5_b6_desk_payment_over_two_orders_keeps_the_rest_as_credit_and_refunds_it(db, api_for):
    org = make_organization(payment_provider="sandbox")
    household = make_household(org)
    first, second = (order_for(household, make_offering(org, price=p)) for p in ("30.00", "20.00"))
    cashier = api_for(make_staff(org, [Permission.TAKE_PAYMENTS]).user)
    base = f"/orgs/{org.slug}/staff/households/{household.pk}"
    paid = cashier.post(
        f"{base}/payments",
        {
            "order_ids": [first.pk, second.pk],
            "amount": "60.00",
            "method": "cash",
            "keep_credit": True,
            "reference": "k1",
        },
    )
    assert paid.status_code == 201
    assert paid.json()["household_credit"] == "10.00"
    assert [a["order_id"] for a in paid.json()["allocations"]] == [first.pk, second.pk, None]
    again = cashier.post(
        f"{base}/payments",
        {
            "order_ids": [first.pk, second.pk],
            "amount": "60.00",
            "method": "cash",
            "keep_credit": True,
            "reference": "k1",
        },
    )
    assert again.status_code == 200
    refund = cashier.post(f"{base}/refunds", {"amount": "10.00", "method": "cheque", "note": "mailed"})
    assert (refund.status_code, refund.json()["status"]) == (201, "done")
    assert cashier.get(f"{base}/credit").json()["credit"] == "0.00"


def test_p5_desk_payment_is_refused_to_an_instructor_and_to_another_organization(db, api_for):
    org = make_organization()
    household = make_household(org)
    order = order_for(household, make_offering(org, price="30.00"))
    body = {"order_ids": [order.pk], "amount": "5.00", "method": "cash"}
    instructor = api_for(make_staff(org, [Permission.TEACH]).user)
    assert instructor.post(f"/orgs/{org.slug}/staff/households/{household.pk}/payments", body).status_code == 403
    other = make_organization()
    outsider = api_for(make_staff(other, list(Permission.values)).user)
    assert outsider.post(f"/orgs/{other.slug}/staff/households/{household.pk}/payments", body).status_code == 404
    order.refresh_from_db()
    assert order.amount_paid == Decimal("0")


def test_p6_p7_delete_with_a_note_restore_and_send_a_pay_link(db, api_for):
    org = make_organization(payment_provider="sandbox")
    household = make_household(org)
    order = order_for(household, make_offering(org, price="30.00", capacity=1))
    registration = Registration.objects.get(order=order)
    staff = api_for(make_staff(org, [Permission.ENROLL, Permission.TAKE_PAYMENTS, Permission.DELETE_ENROLLMENTS]).user)
    deleted = staff.delete(f"/orgs/{org.slug}/staff/registrations/{registration.pk}?note=No%20reply")
    assert (deleted.status_code, deleted.json()["state"]) == (200, "cancelled")
    registration.refresh_from_db()
    assert registration.deleted_note == "No reply"
    restored = staff.post(f"/orgs/{org.slug}/staff/registrations/{registration.pk}/restore")
    assert (restored.status_code, restored.json()["state"], restored.json()["deleted_at"]) == (200, "tentative", None)
    again = staff.post(f"/orgs/{org.slug}/staff/registrations/{registration.pk}/restore")
    assert (again.status_code, again.json()["code"]) == (409, "registration_not_deleted")
    link = staff.post(f"/orgs/{org.slug}/staff/orders/{order.pk}/pay-link")
    assert (link.status_code, link.json()["sent_to"]) == (201, household.email)
    assert Notification.objects.filter(kind="registrant_pay_link", to_email=household.email).count() == 1


def test_s4_group_enroll_as_many_as_fit_through_the_api(db, api_for):
    org = make_organization()
    families = [make_household(org, children=2) for _ in range(2)]
    offering = make_offering(org, capacity=3)
    staff = api_for(make_staff(org, [Permission.ENROLL]).user)
    members = [{"household_id": h.pk, "participant_id": p.pk} for h in families for p in h.participants.all()]
    answer = staff.post(
        f"/orgs/{org.slug}/staff/offerings/{offering.pk}/group-enroll", {"members": members, "mode": "fit"}
    )
    assert answer.status_code == 200
    assert (len(answer.json()["enrolled"]), len(answer.json()["refused"])) == (3, 1)
    again = staff.post(
        f"/orgs/{org.slug}/staff/offerings/{offering.pk}/group-enroll", {"members": members[3:], "mode": "all"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "group_does_not_fit")

"""Money at the desk, as staff use the pages (issue 13, item 5): P5, B1, B6, P6, P7, P4."""

import html
import re
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from orders.models import Order
from payments.models import Payment, StaffAlert
from registrations.models import Registration


def money_url(world):
    return reverse("office:household_money", args=[world.organization.slug, world.household.pk])


def key_of(html: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)


def overpay(desk, world, *, method: str) -> None:
    """$50.00 toward the order's $30.00, the $20.00 beyond it kept as household credit (B6)."""
    page = desk.get(money_url(world)).content.decode()
    form = {
        "orders": [world.url_kwargs["order_id"]],
        "amount": "50.00",
        "method": method,
        "keep_credit": "on",
        "key": key_of(page),
    }
    desk.post(reverse("office:record_payment", args=[world.organization.slug, world.household.pk]), form)


def test_p5_the_front_desk_records_cash_toward_the_order_and_the_page_shows_it_paid(world, client_for):
    desk = client_for("frontdesk")
    page = desk.get(money_url(world)).content.decode()
    assert "Record a payment" in page
    order_id = world.url_kwargs["order_id"]
    form = {"orders": [order_id], "amount": "30.00", "method": "cash", "note": "receipt 12", "key": key_of(page)}
    answer = desk.post(reverse("office:record_payment", args=[world.organization.slug, world.household.pk]), form)
    assert answer.status_code == 302
    desk.post(reverse("office:record_payment", args=[world.organization.slug, world.household.pk]), form)
    assert Payment.objects.filter(household=world.household).count() == 1  # the double submit recorded once
    assert Order.objects.get(pk=order_id).status == "paid"
    shown = desk.get(money_url(world)).content.decode()
    assert "Paid in full" in shown
    assert "Nothing is owing." in shown


def test_p5_too_much_is_refused_beside_the_amount_and_nothing_is_recorded(world, client_for):
    desk = client_for("frontdesk")
    page = desk.get(money_url(world)).content.decode()
    form = {"orders": [world.url_kwargs["order_id"]], "amount": "31.00", "method": "cash", "key": key_of(page)}
    answer = desk.post(reverse("office:record_payment", args=[world.organization.slug, world.household.pk]), form)
    assert answer.status_code == 400
    assert "$31.00 is more than the $30.00 these orders owe" in answer.content.decode()  # money as money
    assert not Payment.objects.exists()


def test_b6_kept_as_credit_then_refunded_at_the_desk(world, client_for):
    desk = client_for("frontdesk")
    overpay(desk, world, method="cheque")
    assert "Household credit: <strong>$20.00</strong>" in desk.get(money_url(world)).content.decode()
    refund = {"refund-amount": "20.00", "refund-method": "cash", "refund-note": "handed back"}
    answer = desk.post(reverse("office:refund", args=[world.organization.slug, world.household.pk]), refund)
    assert answer.status_code == 302
    assert "Household credit: <strong>$0.00</strong>" in desk.get(money_url(world)).content.decode()


def test_b6_the_overpayment_alert_names_the_payment_as_staff_know_it(world, client_for):
    """The alerts page said 'Payment 3 of $50.00 ...': an id no page shows. It names the payment
    by its amount, method, household, the day it was received (the organization's clock) and the
    order it paid."""
    desk = client_for("frontdesk")
    overpay(desk, world, method="cheque")
    payment = Payment.objects.get(household=world.household)
    number = Order.objects.get(pk=world.url_kwargs["order_id"]).number
    alerts = desk.get(reverse("office:alerts", args=[world.organization.slug])).content.decode()
    assert f"Payment {payment.pk}" not in alerts
    day = timezone.localtime(payment.received_at, ZoneInfo(world.organization.time_zone))
    assert (
        f"The $50.00 cheque payment from {world.household.name} received {day:%A} {day.day} {day:%B %Y} "
        f"toward order {number} was $20.00 more" in html.unescape(alerts)
    )


def test_b6_credit_paid_at_the_desk_is_refunded_at_the_desk_by_default(world, client_for):
    """A household that paid only at the desk had 'Back to the card it was paid with' chosen for
    its refund, which is then refused ('No online payment of this household...')."""
    desk = client_for("frontdesk")
    overpay(desk, world, method="cash")
    refund_form = desk.get(money_url(world)).context["refund_form"]
    assert refund_form["method"].value() == "cash"


def test_b1_p7_on_account_and_a_pay_link(world, client_for):
    world.organization.payment_provider = "sandbox"
    world.organization.save()
    desk = client_for("frontdesk")
    order_id = world.url_kwargs["order_id"]
    desk.post(reverse("office:on_account", args=[world.organization.slug, order_id]), {"payable_online": "on"})
    order = Order.objects.get(pk=order_id)
    assert (order.on_account, order.payable_online) == (True, True)
    desk.post(reverse("office:pay_link", args=[world.organization.slug, order_id]))
    assert Notification.objects.filter(kind="registrant_pay_link", to_email=world.household.email).exists()
    assert AuditEvent.objects.filter(verb="order.pay_link_sent", subject_id=order_id).exists()


def test_p6_p7_delete_asks_first_then_restores(world, client_for):
    manager = client_for("admin")
    registration_id = world.url_kwargs["registration_id"]
    url = reverse("office:delete_registration", args=[world.organization.slug, registration_id])
    asked = manager.post(url, {"note": "Duplicate booking"})
    assert asked.status_code == 200
    assert "Delete the registration" in asked.content.decode()
    assert Registration.objects.get(pk=registration_id).deleted_at is None
    manager.post(url, {"note": "Duplicate booking", "confirmed": "yes"})
    registration = Registration.objects.get(pk=registration_id)
    assert registration.deleted_note == "Duplicate booking"
    assert "Duplicate booking" in manager.get(money_url(world)).content.decode()
    manager.post(reverse("office:restore_registration", args=[world.organization.slug, registration_id]))
    assert Registration.objects.get(pk=registration_id).deleted_at is None


def test_s2_the_front_desk_without_delete_enrollments_sees_no_delete_control(world, client_for):
    page = client_for("frontdesk").get(money_url(world)).content.decode()
    assert "Why delete it?" not in page


def test_p4_the_alerts_inbox_lists_and_resolves(world, client_for):
    desk = client_for("frontdesk")
    page = desk.get(reverse("office:alerts", args=[world.organization.slug])).content.decode()
    assert "test alert" in page
    alert = StaffAlert.objects.get(organization=world.organization)
    desk.post(reverse("office:resolve_alert", args=[world.organization.slug, alert.pk]))
    assert (
        "Nothing needs attention."
        in desk.get(reverse("office:alerts", args=[world.organization.slug])).content.decode()
    )
    resolved = desk.get(reverse("office:alerts", args=[world.organization.slug]) + "?show=resolved").content.decode()
    assert "test alert" in resolved
    assert AuditEvent.objects.filter(verb="alert.resolved", subject_id=alert.pk).exists()


def test_x1_another_organizations_household_is_a_404(world, client_for):
    from households.tests.factories import make_household

    elsewhere = make_household(world.other_organization)
    url = reverse("office:household_money", args=[world.organization.slug, elsewhere.pk])
    assert client_for("frontdesk").get(url).status_code == 404


def test_s4_group_enroll_from_the_page_holds_a_seat_per_participant(world, client_for):
    from capacity.models import Claim
    from catalog.tests.factories import make_offering
    from households.tests.factories import make_household

    other = make_household(world.organization, children=1)
    offering = make_offering(world.organization, capacity=10, name="Team swim")
    url = reverse("office:group_enroll", args=[world.organization.slug, offering.pk])
    page = client_for("frontdesk").get(url + f"?households={world.household.pk},{other.pk}").content.decode()
    assert "10 places: 0 confirmed" in page
    members = [f"{p.household_id}:{p.pk}" for h in (world.household, other) for p in h.participants.all()]
    answer = client_for("frontdesk").post(url, {"member": members, "mode": "all"})
    assert answer.status_code == 200
    assert "3 participants are held" in answer.content.decode()
    assert Claim.objects.filter(offering=offering, state="held").count() == 3


def test_s4_a_refused_group_member_is_named_with_their_household(world, client_for):
    from capacity.models import Claim
    from catalog.tests.factories import make_offering
    from households.tests.factories import make_household

    other = make_household(world.organization, children=1)
    offering = make_offering(world.organization, capacity=1, name="Team swim")
    first = world.household.participants.order_by("pk").first()
    late = other.participants.order_by("pk").last()
    url = reverse("office:group_enroll", args=[world.organization.slug, offering.pk])
    members = [f"{first.household_id}:{first.pk}", f"{late.household_id}:{late.pk}"]
    page = client_for("frontdesk").post(url, {"member": members, "mode": "fit"}).content.decode()
    assert "1 participant is held" in page
    assert f"<li>{late.first_name} {late.last_name} ({other.name}): " in page
    assert f"Participant {late.pk}" not in page
    assert Claim.objects.filter(offering=offering, state="held").count() == 1

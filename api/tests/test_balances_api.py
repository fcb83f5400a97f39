from decimal import Decimal

from django.db import transaction

from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from orders.models import Order
from orders.policies import Share
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from payments.desk import put_on_account
from payments.models import PaymentSession
from payments.services import record_payment


def on_account_order(org, household, price):
    add_to_cart(
        household=household,
        offering_id=make_offering(org, price=price).pk,
        participant_id=household.participants.first().pk,
        channel="office",
    )
    order = checkout(household=household, channel="office").order
    put_on_account(
        membership=make_staff(org, [Permission.TAKE_PAYMENTS]),
        order_id=order.pk,
        payable_online=True,
        customer_note="Balance for spring term",
    )
    return order


def test_b2_balances_hidden_when_the_organization_switches_it_off(db, api_for):
    org = make_organization(pay_balances_online=False, payment_provider="sandbox")
    household = make_household(org)
    on_account_order(org, household, "40.00")
    assert api_for(household.payer).get(f"/orgs/{org.slug}/balances").json() == []


def test_b3_b4_balance_in_cart_then_paid_with_a_class_in_one_exact_payment(db, api_for):
    org = make_organization(pay_balances_online=True, payment_provider="sandbox")
    household = make_household(org)
    owed = on_account_order(org, household, "40.00")
    api = api_for(household.payer)
    [listed] = api.get(f"/orgs/{org.slug}/balances").json()
    assert (listed["order_id"], listed["balance"], listed["customer_note"], listed["in_cart"]) == (
        owed.pk,
        "40.00",
        "Balance for spring term",
        False,
    )
    assert api.post(f"/orgs/{org.slug}/cart/balances", {"order_id": owed.pk}).status_code == 201
    again = api.post(f"/orgs/{org.slug}/cart/balances", {"order_id": owed.pk})
    assert (again.status_code, again.json()["code"]) == (409, "already_in_cart")
    assert api.get(f"/orgs/{org.slug}/balances").json()[0]["in_cart"] is True  # B4
    swim = make_offering(org, price="80.00")
    api.post(
        f"/orgs/{org.slug}/cart/items", {"offering_id": swim.pk, "participant_id": household.participants.first().pk}
    )
    cart = api.get(f"/orgs/{org.slug}/cart").json()
    assert cart["total"] == "120.00"
    assert [b["order_id"] for b in cart["balances"]] == [owed.pk]
    done = api.post(f"/orgs/{org.slug}/checkout", {"cart_id": cart["id"]})
    assert done.status_code == 201, done.content
    payment = done.json()["payment"]
    assert payment["amount"] == "120.00"
    assert payment["redirect_url"].startswith("http")
    session = PaymentSession.objects.get(pk=payment["id"])
    new_order = done.json()["order"]["id"]
    assert session.plan == [{"order": new_order, "amount": "80.00"}, {"order": owed.pk, "amount": "40.00"}]
    with transaction.atomic():
        record_payment(
            organization=org,
            household_id=household.pk,
            amount=Decimal("120.00"),
            plan=[Share(p["order"], Decimal(p["amount"])) for p in session.plan],
            provider="sandbox",
            provider_ref="pi_1",
            method="online",
            channel="system",
            now=session.created_at,
            session=session,
        )
    assert {o.pk: o.balance for o in Order.objects.filter(household=household)} == {new_order: 0, owed.pk: 0}
    assert api.get(f"/orgs/{org.slug}/balances").json() == []


def test_b1_balance_not_payable_online_cannot_be_added(db, api_for):
    org = make_organization(pay_balances_online=True, payment_provider="sandbox")
    household = make_household(org)
    add_to_cart(
        household=household,
        offering_id=make_offering(org).pk,
        participant_id=household.participants.first().pk,
        channel="office",
    )
    order = checkout(household=household, channel="office").order
    put_on_account(membership=make_staff(org, [Permission.TAKE_PAYMENTS]), order_id=order.pk, payable_online=False)
    response = api_for(household.payer).post(f"/orgs/{org.slug}/cart/balances", {"order_id": order.pk})
    assert (response.status_code, response.json()["code"]) == (409, "balance_not_payable")
    stranger = make_household(org)
    response = api_for(stranger.payer).post(f"/orgs/{org.slug}/cart/balances", {"order_id": order.pk})
    assert response.json()["code"] == "balance_not_payable"


def test_staff_api_payment_state_and_offline_payment(db, api_for):
    org = make_organization()
    household = make_household(org)
    add_to_cart(
        household=household,
        offering_id=make_offering(org, price="25.00").pk,
        participant_id=household.participants.first().pk,
        channel="portal",
    )
    order = checkout(household=household, channel="portal").order
    cashier = api_for(make_staff(org, [Permission.TAKE_PAYMENTS]).user)
    [row] = cashier.get(f"/orgs/{org.slug}/staff/registrations").json()
    assert row["payment_state"] in ("incomplete_or_pending", "payment_incomplete")
    bad = cashier.post(f"/orgs/{org.slug}/staff/orders/{order.pk}/payments", {"amount": "99.00", "method": "cash"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_payment")
    ok = cashier.post(
        f"/orgs/{org.slug}/staff/orders/{order.pk}/payments", {"amount": "25.00", "method": "cash", "reference": "r1"}
    )
    assert ok.status_code == 201
    assert ok.json()["order_balance"] == "0.00"
    [row] = cashier.get(f"/orgs/{org.slug}/staff/registrations").json()
    assert (row["payment_state"], row["state"], row["on_account"]) == ("paid_in_full", "confirmed", False)
    impacts = cashier.get(f"/orgs/{org.slug}/staff/grace-impacts?hours=24")
    assert impacts.status_code == 403  # needs manage settings

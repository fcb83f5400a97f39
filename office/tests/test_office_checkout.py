"""One office checkout (S3, P1, B6): the office page and the staff API check out through the same
service (`payments.checkout.office_checkout`), so each behaviour is asserted on both routes: a
cart the family started is refused until taken over and nothing changes; household credit pays
first at the desk; a cart of only earlier balances makes no new order and says so."""

from decimal import Decimal

import pytest
from django.test import Client

from api.tests.conftest import ApiClient
from audit.models import AuditEvent
from capacity.models import Claim
from carts.models import Cart
from carts.services import add_balance_to_cart, add_to_cart, office_add_to_cart, take_over_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from orders.models import Order
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from payments.desk import put_on_account
from payments.models import Payment
from payments.tests.test_desk_money import overpaid_order

ROUTES = ("page", "api")


@pytest.fixture
def desk(db):
    org = make_organization(payment_provider="sandbox", pay_balances_online=True)
    clerk = make_staff(org, [Permission.ENROLL, Permission.TAKE_PAYMENTS])
    return org, clerk, make_household(org)


def check_out(route, org, clerk, household):
    """Check the household's cart out as `clerk` through the page or the API; (status, JSON body)."""
    if route == "api":
        answer = ApiClient(clerk.user).post(f"/orgs/{org.slug}/staff/households/{household.pk}/checkout", {})
        return answer.status_code, answer.json()
    client = Client()
    client.force_login(clerk.user)
    answer = client.post(f"/office/{org.slug}/households/{household.pk}/checkout/", follow=True)
    return answer.status_code, answer.content.decode()


def family_cart(household, offering):
    return add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    )


@pytest.mark.parametrize("route", ROUTES)
def test_s3_a_cart_the_family_started_is_refused_until_taken_over_and_nothing_changes(desk, route):
    org, clerk, household = desk
    family_cart(household, make_offering(org, price="25.00"))
    events = AuditEvent.objects.count()
    status, body = check_out(route, org, clerk, household)
    if route == "api":
        assert (status, body["code"]) == (409, "customer_cart_open")
    else:
        assert "already started a registration" in body
    assert not Order.objects.exists()
    assert Cart.objects.get(household=household).status == Cart.Status.OPEN
    assert set(Claim.objects.values_list("state", flat=True)) == {Claim.State.HELD}
    assert AuditEvent.objects.count() == events
    take_over_cart(membership=clerk, household=household)
    status, _body = check_out(route, org, clerk, household)
    assert status in (200, 201)
    order = Order.objects.get(household=household)
    assert order.channel == "office"
    assert AuditEvent.objects.filter(verb="order.created", actor_id=clerk.user_id, channel="office").exists()


@pytest.mark.parametrize("route", ROUTES)
def test_b6_household_credit_pays_first_at_the_desk(desk, route):
    org, clerk, household = desk
    overpaid_order((org, household, clerk), price="10.00", paid="25.00")  # 15.00 of credit
    offering = make_offering(org, price="25.00")
    office_add_to_cart(
        membership=clerk, household=household, offering_id=offering.pk, participant_id=household.participants.first().pk
    )
    status, body = check_out(route, org, clerk, household)
    order = Order.objects.get(household=household, lines__offering=offering)
    assert (order.amount_paid, order.balance) == (Decimal("15.00"), Decimal("10.00"))
    spent = Payment.objects.get(household=household, method=Payment.Method.CREDIT)
    assert AuditEvent.objects.filter(
        verb="payment.recorded", subject_id=spent.pk, actor_id=clerk.user_id, channel="office"
    ).exists()
    if route == "api":
        assert (status, body["balance"], body["amount_paid"]) == (201, "10.00", "15.00")
    else:
        assert "10.00" in body  # the payment step asks for what is left


@pytest.mark.parametrize("route", ROUTES)
def test_b3_a_cart_of_only_earlier_balances_makes_no_new_order_and_says_so(desk, route):
    org, clerk, household = desk
    family_cart(household, make_offering(org, price="30.00"))
    earlier = checkout(household=household, channel="portal").order
    put_on_account(membership=clerk, order_id=earlier.pk, payable_online=True)  # B1: its balance may go in a cart
    add_balance_to_cart(household=household, order_id=earlier.pk, channel="portal")
    take_over_cart(membership=clerk, household=household)
    status, body = check_out(route, org, clerk, household)
    assert status == 200
    if route == "api":
        assert body["order"] is None
        assert "no new order" in body["message"]
    else:
        assert "The balances in the cart are ready to pay." in body
    assert Order.objects.filter(household=household).count() == 1
    assert Cart.objects.get(balances__order=earlier).status == Cart.Status.CHECKED_OUT

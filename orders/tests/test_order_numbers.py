"""Issue 15 item 3: order numbers are counted per organization, so a receipt tells nothing
of another organization's volume; unique within each, without gaps."""

from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from orders.models import Order
from orders.services import next_order_sequence
from organizations.tests.factories import make_organization


def order_in(org):
    household = make_household(org)
    add_to_cart(
        household=household,
        offering_id=make_offering(org, price="10.00").pk,
        participant_id=household.participants.first().pk,
        channel="portal",
    )
    return checkout(household=household, channel="portal").order


def test_each_organization_numbers_its_own_orders_from_one(db):
    riverside, lakeside = make_organization(), make_organization()
    numbers = [order_in(org).number for org in (riverside, riverside, lakeside, riverside, lakeside)]
    assert numbers == ["R0000001", "R0000002", "R0000001", "R0000003", "R0000002"]
    assert Order.objects.filter(organization=riverside).count() == 3


def test_the_counter_row_is_made_with_the_first_order_and_then_incremented(db):
    org = make_organization()
    assert [next_order_sequence(org.pk) for _ in range(3)] == [1, 2, 3]

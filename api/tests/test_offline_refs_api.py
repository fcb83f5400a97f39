"""Issue 15 item 3, P5: offline payment references are each organization's own; a repeat is
answered 200 with the first payment; a reference used for another order is a 409."""

from decimal import Decimal

from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from payments.models import Payment
from payments.tests.test_offline_and_account import paid_order


def pay(api_for, org, order, reference, amount="30.00"):
    cashier = api_for(make_staff(org, [Permission.TAKE_PAYMENTS]).user)
    body = {"amount": amount, "method": "cash", "reference": reference}
    return cashier.post(f"/orgs/{org.slug}/staff/orders/{order.pk}/payments", body)


def test_p5_a_repeated_reference_is_200_with_the_first_payment(org, api_for):
    order = paid_order(org)
    first = pay(api_for, org, order, "R-1001")
    assert first.status_code == 201, first.content
    again = pay(api_for, org, order, "R-1001", amount="45.00")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["amount"] == "30.00"
    assert Payment.objects.count() == 1


def test_p5_references_are_per_organization(org, api_for):
    other = make_organization()
    mine, theirs = paid_order(org), paid_order(other)
    assert pay(api_for, org, mine, "R-1001").status_code == 201
    answer = pay(api_for, other, theirs, "R-1001")
    assert answer.status_code == 201, answer.content  # another organization's receipt R-1001
    assert Payment.objects.filter(provider_ref="R-1001").count() == 2
    assert {p.organization_id for p in Payment.objects.all()} == {org.pk, other.pk}


def test_p5_a_reference_used_for_another_order_is_a_409(org, api_for):
    first, second = paid_order(org), paid_order(org)
    assert pay(api_for, org, first, "R-7").status_code == 201
    refused = pay(api_for, org, second, "R-7")
    assert refused.status_code == 409
    assert refused.json()["code"] == "reference_used"
    second.refresh_from_db()
    assert second.amount_paid == Decimal("0")

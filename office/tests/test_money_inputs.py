"""Money typed at the desk follows the organization's locale (decision 0025): an fr-ca office
reads "30,00" and "1 234,50" as the pages write money, every locale reads the plain "30.00",
and anything else is an error beside the field that shows both ways. The API keeps its plain
Decimal strings."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Offering
from core.locale import organization_locale
from orders.models import Order
from payments.models import Payment
from ui.money import MoneyField, parse_money

NBSP = "\u00a0"


def pay(world, client_for, amount: str):
    desk = client_for("frontdesk")
    url = reverse("office:record_payment", args=[world.organization.slug, world.household.pk])
    form = {"orders": [world.url_kwargs["order_id"]], "amount": amount, "method": "cash", "key": f"k-{amount}"}
    return desk.post(url, form)


def said(response) -> str:
    return " ".join(response.content.decode().replace(NBSP, " ").split())


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("fr-ca", "30,00"),
        ("fr-ca", "30.00"),
        ("fr-ca", "30,00 $"),
        ("en-us", "30.00"),
        ("en-us", "$30"),
    ],
)
def test_b5_the_desk_records_an_amount_typed_the_organizations_way_or_plainly(world, client_for, locale, typed):
    world.organization.locale = locale
    world.organization.save(update_fields=["locale"])

    answer = pay(world, client_for, typed)

    assert answer.status_code == 302
    assert Payment.objects.get(household=world.household).amount == Decimal("30.00")
    assert Order.objects.get(pk=world.url_kwargs["order_id"]).status == "paid"


@pytest.mark.parametrize(
    ("locale", "typed", "error"),
    [
        ("en-us", "30,00", "Enter an amount such as 1,234.50 or 1234.50."),  # the comma groups thousands there
        ("fr-ca", "1.234,50", "Enter an amount such as 1 234,50 or 1234.50."),
        ("fr-ca", "thirty", "Enter an amount such as 1 234,50 or 1234.50."),
        ("fr-ca", "30,005", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_x5_an_amount_neither_way_is_an_error_beside_the_field_and_nothing_is_recorded(
    world, client_for, locale, typed, error
):
    world.organization.locale = locale
    world.organization.save(update_fields=["locale"])

    answer = pay(world, client_for, typed)

    assert answer.status_code == 400
    assert error in said(answer)
    assert not Payment.objects.exists()


def test_x7_an_fr_ca_offering_price_is_typed_with_a_space_and_a_comma_and_shown_back_so(world, client_for):
    world.organization.locale = "fr-ca"
    world.organization.save(update_fields=["locale"])
    admin = client_for("admin")

    made = admin.post(
        reverse("office:setup_offering_new", args=[world.organization.slug]),
        {"kind": "class", "name": "Pottery", "price": f"1{NBSP}234,50", "starts_on": "2026-01-06"},
    )

    assert made.status_code == 302, made.context["form"].errors
    pottery = Offering.objects.get(organization=world.organization, name="Pottery")
    assert pottery.price == Decimal("1234.50")
    assert f"$1{NBSP}234,50" in admin.get(made["Location"]).content.decode()  # as the pages write money
    edit = admin.get(reverse("office:setup_offering_edit", args=[world.organization.slug, pottery.pk]))
    assert f'value="1{NBSP}234,50"' in edit.content.decode()  # the input as it is typed back


@pytest.mark.parametrize(
    ("locale", "typed", "amount"),
    [
        ("fr-ca", "1 234,50", Decimal("1234.50")),  # a typed space
        ("fr-ca", f"1{NBSP}234,5", Decimal("1234.5")),
        ("fr-ca", "1234.50", Decimal("1234.50")),
        ("en-us", "1,234.50", Decimal("1234.50")),
        ("en-ca", "$1,234.50", Decimal("1234.50")),
        ("en-us", "1,234,567", Decimal("1234567")),
        ("en-us", "12,34", None),
        ("en-us", "1 234.50", None),
        ("fr-ca", "1,234.50", None),
        ("fr-ca", "-5", None),
    ],
)
def test_b5_money_inputs_read_the_locales_grouping_and_decimals_exactly(locale, typed, amount):
    with organization_locale(locale):
        from django.utils import formats

        found = parse_money(
            typed,
            decimal_separator=formats.get_format("DECIMAL_SEPARATOR"),
            thousand_separator=formats.get_format("THOUSAND_SEPARATOR"),
        )
        shown = MoneyField().prepare_value(Decimal("1234.5"))
    assert found == amount
    assert shown == {"fr-ca": f"1{NBSP}234,50", "en-us": "1,234.50", "en-ca": "1,234.50"}[locale]

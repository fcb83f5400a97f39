"""The office in the organization's "Language and formats" (issue 12, decision 0025): an
administrator sets it on the settings page, and the desk's pages show money and dates in it; the
words stay English, as the setting's help text says."""

from django.urls import reverse

from organizations.models import Organization

HELP = (
    "Money, numbers and dates on the organization's pages and in its emails follow it; "
    "the pages' words are in English until a translation is added."
)


def settings_form(admin, world):
    form = admin.get(f"/office/{world.organization.slug}/setup/settings/").context["form"]
    return {name: ("on" if value is True else "" if value is False else value) for name, value in form.initial.items()}


def test_x7_an_administrator_sets_french_canada_and_the_desk_shows_french_money(world, client_for):
    admin = client_for("admin")
    page = admin.get(f"/office/{world.organization.slug}/setup/settings/").content.decode()
    assert "Language and formats" in page
    assert HELP in page
    money_url = reverse("office:household_money", args=[world.organization.slug, world.household.pk])
    assert "$30.00" in admin.get(money_url).content.decode()

    saved = admin.post(
        f"/office/{world.organization.slug}/setup/settings/",
        settings_form(admin, world) | {"locale": "fr-ca", "action": "save"},
    )
    assert saved.status_code == 302
    assert Organization.objects.get(pk=world.organization.pk).locale == "fr-ca"

    money = admin.get(money_url).content.decode()
    assert "$30,00" in money
    assert "$30.00" not in money
    assert "Record a payment" in money  # the words stay English
    assert '<html lang="en">' in money


def test_another_organizations_office_keeps_its_own_locale(world, client_for):
    Organization.objects.filter(pk=world.organization.pk).update(locale="fr-ca")
    admin = client_for("admin")
    money_url = reverse("office:household_money", args=[world.organization.slug, world.household.pk])
    assert "$30,00" in admin.get(money_url).content.decode()
    landing = admin.get("/accounts/tokens/").content.decode()  # no organization's page
    assert '<html lang="en-US">' in landing

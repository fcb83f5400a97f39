"""T5 and S3 in the API: the office wizards' two timer pairs in the settings, and the customer's
cart saying that the office is completing it."""

from carts.services import take_over_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_staff


def test_t5_settings_read_and_change_the_class_and_camp_wizard_timers(org, api_for):
    admin = api_for(make_staff(org, [Permission.MANAGE_SETTINGS]).user)
    body = admin.get(f"/orgs/{org.slug}/settings").json()
    assert {k: body[k] for k in body if k.startswith("office_")} == {
        "office_class_timeout_minutes": 60,
        "office_class_limit_minutes": 120,
        "office_camp_timeout_minutes": 60,
        "office_camp_limit_minutes": 120,
    }
    refused = admin.patch(f"/orgs/{org.slug}/settings", {"office_camp_limit_minutes": 121})
    assert refused.status_code == 400
    assert "office_camp_limit_minutes: must be a whole number between 5 and 120 minutes" in refused.json()["message"]
    changed = admin.patch(f"/orgs/{org.slug}/settings", {"office_camp_timeout_minutes": 30})
    assert (changed.json()["office_camp_timeout_minutes"], changed.json()["office_class_timeout_minutes"]) == (30, 60)


def test_s3_the_customers_cart_says_the_office_is_completing_it(org, api_for):
    household = make_household(org)
    customer = api_for(household.payer)
    item = {"offering_id": make_offering(org).pk, "participant_id": household.participants.first().pk}
    assert customer.post(f"/orgs/{org.slug}/cart/items", item).status_code == 201
    assert customer.get(f"/orgs/{org.slug}/cart").json()["held_by_office"] is False
    take_over_cart(membership=make_staff(org, [Permission.ENROLL]), household=household)
    cart = customer.get(f"/orgs/{org.slug}/cart").json()
    assert cart["held_by_office"] is True
    assert cart["taken_over_at"] is not None
    other = {"offering_id": make_offering(org).pk, "participant_id": household.participants.first().pk}
    refused = customer.post(f"/orgs/{org.slug}/cart/items", other)
    assert (refused.status_code, refused.json()["code"]) == (409, "cart_held_by_office")

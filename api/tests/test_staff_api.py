from audit.models import AuditEvent
from capacity.models import Claim
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.models import Organization, Permission
from organizations.tests.factories import make_organization, make_staff


def item(household, offering, **extra):
    return {"offering_id": offering.pk, "participant_id": household.participants.first().pk} | extra


def test_t1_settings_api_refuses_out_of_range_naming_it_and_changes_nothing(org, api_for):
    admin = api_for(make_staff(org, [Permission.MANAGE_SETTINGS]).user)
    refused = admin.patch(f"/orgs/{org.slug}/settings", {"cart_timeout_minutes": 121, "cart_limit_minutes": 30})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_settings"
    assert "between 5 and 120 minutes" in refused.json()["message"]
    org.refresh_from_db()
    assert (org.cart_timeout_minutes, org.cart_limit_minutes) == (20, 60)
    ok = admin.patch(f"/orgs/{org.slug}/settings", {"cart_timeout_minutes": 10, "cart_limit_minutes": 30})
    assert ok.status_code == 200
    assert Organization.objects.filter(pk=org.pk, cart_timeout_minutes=10, cart_limit_minutes=30).exists()


def test_settings_need_the_permission(org, api_for):
    frontdesk = api_for(make_staff(org, [Permission.ENROLL]).user)
    assert frontdesk.patch(f"/orgs/{org.slug}/settings", {"cart_timeout_minutes": 10}).status_code == 403
    customer = api_for(make_household(org).payer)
    assert (
        customer.patch(f"/orgs/{org.slug}/settings", {"cart_timeout_minutes": 10}).status_code == 404
    )  # not staff: the unknown-organization answer


def test_s1_occupancy_lists_live_holds_with_who_and_time_left(org, api_for):
    offering = make_offering(org, capacity=5)
    household = make_household(org)
    api_for(household.payer).post(f"/orgs/{org.slug}/cart/items", item(household, offering))
    staff = api_for(make_staff(org, [Permission.ENROLL]).user)
    body = staff.get(f"/orgs/{org.slug}/staff/offerings/{offering.pk}/occupancy").json()
    assert body["offering"]["availability"]["held"] == 1
    [hold] = body["holds"]
    assert hold["household_name"] == household.name
    assert hold["channel"] == "api"
    assert 0 < hold["seconds_left"] <= 20 * 60


def test_c6_office_override_via_api(org, api_for):
    offering = make_offering(org, capacity=0)
    household = make_household(org)
    manager = api_for(make_staff(org, [Permission.ENROLL, Permission.OVERRIDE_CAPACITY]).user)
    url = f"/orgs/{org.slug}/staff/households/{household.pk}/cart/items"
    assert manager.post(url, item(household, offering)).json()["code"] == "offering_full"
    ok = manager.post(url, item(household, offering, override_reason="Sibling already enrolled"))
    assert ok.status_code == 201
    frontdesk = api_for(make_staff(org, [Permission.ENROLL]).user)
    other = make_household(org)
    denied = frontdesk.post(
        f"/orgs/{org.slug}/staff/households/{other.pk}/cart/items", item(other, offering, override_reason="x")
    )
    assert denied.status_code == 403
    assert Claim.objects.count() == 1


def test_c6_an_override_reason_over_500_characters_is_a_400_naming_the_limit(org, api_for):
    offering = make_offering(org, capacity=0)
    household = make_household(org)
    manager = api_for(make_staff(org, [Permission.ENROLL, Permission.OVERRIDE_CAPACITY]).user)
    url = f"/orgs/{org.slug}/staff/households/{household.pk}/cart/items"
    refused = manager.post(url, item(household, offering, override_reason="x" * 501))
    assert refused.status_code == 400
    assert "500 characters" in refused.json()["message"]
    assert not Claim.objects.exists()


def test_s2_delete_hold_api_checks_permission(org, api_for):
    offering = make_offering(org)
    household = make_household(org)
    api_for(household.payer).post(f"/orgs/{org.slug}/cart/items", item(household, offering))
    claim = Claim.objects.get()
    assert (
        api_for(make_staff(org, [Permission.ENROLL]).user)
        .delete(f"/orgs/{org.slug}/staff/holds/{claim.pk}")
        .status_code
        == 403
    )
    assert (
        api_for(make_staff(make_organization()).user).delete(f"/orgs/{org.slug}/staff/holds/{claim.pk}").status_code
        == 404  # another organization's staff: the unknown-organization answer
    )
    manager = api_for(make_staff(org, [Permission.DELETE_ENROLLMENTS]).user)
    assert manager.delete(f"/orgs/{org.slug}/staff/holds/{claim.pk}").status_code == 204
    assert manager.delete(f"/orgs/{org.slug}/staff/holds/{claim.pk}").status_code == 404
    claim.refresh_from_db()
    assert claim.state == "released"


def test_s2_staff_clear_a_households_whole_cart_and_the_customer_starts_over(org, api_for):
    """The caller stuck in a half-finished cart (seed: "clear out their cart and start over")."""
    first, second = make_offering(org, capacity=1), make_offering(org, capacity=1)
    household = make_household(org)
    customer = api_for(household.payer)
    for offering in (first, second):
        assert customer.post(f"/orgs/{org.slug}/cart/items", item(household, offering)).status_code == 201
    url = f"/orgs/{org.slug}/staff/households/{household.pk}/cart"
    assert api_for(make_staff(org, [Permission.ENROLL]).user).delete(url).status_code == 403
    outsider = api_for(make_staff(make_organization(), [Permission.DELETE_ENROLLMENTS]).user)
    assert outsider.delete(url).status_code == 404  # not this organization's staff
    assert Claim.objects.filter(state="held").count() == 2  # refusals changed nothing

    manager = make_staff(org, [Permission.DELETE_ENROLLMENTS])
    cleared = api_for(manager.user).delete(url)
    assert cleared.status_code == 200
    assert (cleared.json()["items"], cleared.json()["expires_at"]) == ([], None)
    assert set(Claim.objects.values_list("state", "end_reason")) == {("released", "deleted_by_staff")}
    event = AuditEvent.objects.get(verb="cart.deleted")
    assert (event.actor_id, event.channel, event.data["released"]) == (manager.user_id, "office", 2)
    assert api_for(manager.user).delete(url).json()["code"] == "item_not_found"  # nothing left to clear
    other = make_household(org)  # the seats are free at once, for anyone
    assert api_for(other.payer).post(f"/orgs/{org.slug}/cart/items", item(other, first)).status_code == 201
    assert customer.post(f"/orgs/{org.slug}/cart/items", item(household, second)).status_code == 201


def test_staff_checkout_for_a_household(org, api_for):
    household = make_household(org)
    staff = api_for(make_staff(org, [Permission.ENROLL]).user)
    staff.post(f"/orgs/{org.slug}/staff/households/{household.pk}/cart/items", item(household, make_offering(org)))
    order = staff.post(f"/orgs/{org.slug}/staff/households/{household.pk}/checkout", {})
    assert order.status_code == 201
    assert api_for(household.payer).get(f"/orgs/{org.slug}/orders").json()[0]["id"] == order.json()["id"]
    assert order.json()["balance"] == "50.00"

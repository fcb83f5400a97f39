"""office.access.staff_page: who gets in, and what the view is handed (X1)."""

import re

from organizations.tests.factories import make_staff


def test_x1_nobody_signed_in_is_sent_to_sign_in_whatever_the_slug(client, world):
    for slug in (world.organization.slug, "no-such-organization"):
        response = client.get(f"/office/{slug}/")
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next=/office/{slug}/"


def _without_csrf_token(content: bytes) -> str:
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_x1_a_customer_and_another_organizations_staff_get_the_unknown_organization_404(client_for, world):
    for role in ("customer", "other_org_admin"):
        client = client_for(role)
        unknown = client.get("/office/no-such-organization/")
        response = client.get(f"/office/{world.organization.slug}/")
        assert response.status_code == unknown.status_code == 404
        # The same page as for an organization that does not exist: no existence oracle.
        assert _without_csrf_token(response.content) == _without_csrf_token(unknown.content)


def test_x1_an_inactive_membership_gets_404(client_for, world):
    world.staff["manager"].is_active = False
    world.staff["manager"].save()
    assert client_for("manager").get(f"/office/{world.organization.slug}/").status_code == 404


def test_x1_staff_without_the_declared_permission_get_403(client_for, world):
    assert client_for("frontdesk").get(f"/office/{world.organization.slug}/setup/").status_code == 403
    assert client_for("admin").get(f"/office/{world.organization.slug}/setup/").status_code == 200


def test_x1_a_staff_member_of_two_organizations_sees_each_office_under_its_own_name(client_for, world):
    make_staff(world.other_organization, [], user=world.users["frontdesk"])
    client = client_for("frontdesk")
    assert "Elsewhere (test)" in client.get(f"/office/{world.other_organization.slug}/").content.decode()
    assert "Riverside (test)" in client.get(f"/office/{world.organization.slug}/").content.decode()


def test_the_navigation_shows_what_the_role_may_open(client_for, world):
    admin = client_for("admin").get(f"/office/{world.organization.slug}/").content.decode()
    instructor = client_for("instructor").get(f"/office/{world.organization.slug}/").content.decode()
    assert f'href="/office/{world.organization.slug}/setup/"' in admin
    assert f'href="/office/{world.organization.slug}/setup/"' not in instructor

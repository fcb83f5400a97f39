import re

from django.test import Client

from carts.services import add_to_cart


def test_home_lists_organizations_with_live_seats(org, household, offering):
    add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    )
    page = Client().get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert org.name in html
    assert f"/api/v1/orgs/{org.slug}/offerings" in html
    assert re.search(r'data-label="Seats held in carts" class="ui-num">\s*1\s*<', html)  # the held seat


def test_home_links_each_organizations_customer_portal_and_office(org):
    html = Client().get("/").content.decode()
    assert f'<a class="usa-link" href="/o/{org.slug}/">Customer portal</a>' in html
    assert f'<a class="usa-link" href="/office/{org.slug}/">Office</a>' in html
